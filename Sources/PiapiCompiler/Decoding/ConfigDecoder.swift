/// Decodes the root of the config (`providers`, `users`, optional `prices` and `limits`) and
/// hands each entry to its section's decoder; provider names must be unique.
enum ConfigDecoder {
    static func decode(_ root: YAMLNode, log: inout DiagnosticLog) -> Config {
        guard
            let fields = MappingFields(
                root, what: "the config", known: ["providers", "users", "prices", "limits"], log: &log)
        else {
            return Config(providers: [], users: [])
        }
        var providers: [ProviderConfig] = []
        if let node = fields.required("providers", log: &log),
            let items = ScalarDecoding.sequence(node, "providers", log: &log)
        {
            var firstLine: [String: Int] = [:]
            for item in items {
                guard let provider = ProviderDecoder.decode(item, log: &log) else { continue }
                if let line = firstLine[provider.name.value] {
                    log.error(
                        provider.name.location,
                        "duplicate provider name '\(provider.name.value)' (first at line \(line))")
                    continue
                }
                firstLine[provider.name.value] = provider.name.location.line
                providers.append(provider)
            }
        }
        var users: [UserConfig] = []
        if let node = fields.required("users", log: &log), let items = ScalarDecoding.sequence(node, "users", log: &log)
        {
            for (index, item) in items.enumerated() {
                if let user = UserDecoder.decode(item, index: index, log: &log) { users.append(user) }
            }
        }
        let prices = fields["prices"].map { PriceDecoder.decode($0, log: &log) } ?? []
        let limits = fields["limits"].flatMap { LimitsDecoder.decode($0, isDefaults: true, log: &log) }
        return Config(providers: providers, users: users, prices: prices, limits: limits)
    }
}
