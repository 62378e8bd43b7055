/// Checks that every candidate of every route names an existing provider, one of that
/// provider's keys, and a provider that offers the route's service type; records what is
/// used (disabled candidates included) for the usage warnings.
struct ReferenceChecker {
    /// "provider\u{0}key" and "provider\u{0}service" pairs that some candidate references.
    private(set) var usedKeys: Set<String> = []
    private(set) var routedServices: Set<String> = []

    static func pair(_ a: String, _ b: String) -> String { "\(a)\u{0}\(b)" }

    mutating func check(_ config: Config, log: inout DiagnosticLog) {
        let providerNames = config.providers.map(\.name.value)
        for user in config.users {
            for route in user.routes {
                for candidate in route.candidates {
                    check(
                        candidate, service: route.service.value, config: config, providerNames: providerNames, log: &log
                    )
                }
            }
        }
    }

    private mutating func check(
        _ candidate: RouteConfig.Candidate, service: String, config: Config,
        providerNames: [String], log: inout DiagnosticLog
    ) {
        let name = candidate.providerName
        guard let provider = config.provider(named: name.value) else {
            log.error(
                name.location, "unknown provider '\(name.value)'",
                note: FieldSuggestion.note(for: name.value, among: providerNames))
            return
        }
        let keyName = candidate.keyName
        if !provider.declaredKeyNames.contains(keyName.value) {
            log.error(
                keyName.location, "provider '\(name.value)' has no key '\(keyName.value)'",
                note: FieldSuggestion.note(for: keyName.value, among: provider.keys.map(\.name.value)))
        } else {
            usedKeys.insert(Self.pair(name.value, keyName.value))
        }
        if !provider.declaredServiceTypes.contains(service) {
            log.error(
                name.location, "provider '\(name.value)' has no service of type '\(service)'",
                note: FieldSuggestion.note(for: service, among: provider.services.map(\.type.value)))
        } else {
            routedServices.insert(Self.pair(name.value, service))
        }
    }
}
