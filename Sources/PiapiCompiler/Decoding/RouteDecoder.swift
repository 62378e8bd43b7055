import RouteTable

/// Decodes a user's entry for one service type: the single `{providerName,
/// providerKeyName}` form or the `strategy` + `candidates` chain.
enum RouteDecoder {
    static let maxWeight = 1_000_000

    static func decode(_ node: YAMLNode, service: Located<String>, log: inout DiagnosticLog) -> RouteConfig? {
        if case .mapping(let entries) = node.content, entries.contains(where: { $0.key == "candidates" }) {
            return decodeChain(node, service: service, log: &log)
        }
        let what = "route for '\(service.value)'"
        guard
            let fields = MappingFields(
                node, what: what, known: ["providerName", "providerKeyName", "strategy"], log: &log)
        else { return nil }
        if let location = fields.keyLocation("strategy") {
            log.error(location, "strategy needs a candidates list", note: "list the providers under 'candidates'")
            return nil
        }
        guard let candidate = decodeCandidate(fields, allowsOptions: false, log: &log) else { return nil }
        return RouteConfig(service: service, strategy: .failover, candidates: [candidate])
    }

    private static func decodeChain(
        _ node: YAMLNode, service: Located<String>, log: inout DiagnosticLog
    ) -> RouteConfig? {
        let what = "route for '\(service.value)'"
        guard let fields = MappingFields(node, what: what, known: ["strategy", "candidates"], log: &log) else {
            return nil
        }
        var strategy = Route.Strategy.failover
        if let value = fields["strategy"], let text = ScalarDecoding.text(value, "strategy", log: &log) {
            if let named = Route.Strategy(name: text) {
                strategy = named
            } else {
                let names = Route.Strategy.allCases.map(\.name)
                log.error(
                    value.location, "unknown strategy '\(text)'", note: FieldSuggestion.note(for: text, among: names))
            }
        }
        guard let list = fields["candidates"], let keyLocation = fields.keyLocation("candidates"),
            let items = ScalarDecoding.sequence(list, "candidates", log: &log)
        else { return nil }
        guard !items.isEmpty else {
            log.error(keyLocation, "candidates must not be empty")
            return nil
        }
        var candidates: [RouteConfig.Candidate] = []
        var firstLine: [String: Int] = [:]
        for item in items {
            guard
                let candidateFields = MappingFields(
                    item, what: "candidate", known: ["providerName", "providerKeyName", "weight", "enabled"], log: &log),
                let candidate = decodeCandidate(candidateFields, allowsOptions: true, log: &log)
            else { continue }
            let id = "\(candidate.providerName.value)/\(candidate.keyName.value)"
            if let line = firstLine[id] {
                log.error(candidate.location, "duplicate candidate \(id) (first at line \(line))")
                continue
            }
            firstLine[id] = candidate.location.line
            candidates.append(candidate)
        }
        if candidates.count == items.count, !candidates.contains(where: \.enabled) {
            log.error(keyLocation, "no enabled candidate for '\(service.value)'")
        }
        // A chain with errors is still returned, so its references are checked and its
        // keys count as used; the errors already logged keep it from being compiled.
        return RouteConfig(service: service, strategy: strategy, candidates: candidates)
    }

    private static func decodeCandidate(
        _ fields: MappingFields, allowsOptions: Bool, log: inout DiagnosticLog
    ) -> RouteConfig.Candidate? {
        let provider = fields.required("providerName", log: &log).flatMap { value in
            ScalarDecoding.nonEmptyText(value, "providerName", log: &log).map { Located($0, at: value.location) }
        }
        let key = fields.required("providerKeyName", log: &log).flatMap { value in
            ScalarDecoding.nonEmptyText(value, "providerKeyName", log: &log).map { Located($0, at: value.location) }
        }
        // A bad weight or enabled flag is logged and replaced by its default, so the
        // candidate's references are still checked (the error blocks compiling anyway).
        var weight: UInt32 = 1
        if allowsOptions, let value = fields["weight"], let number = ScalarDecoding.integer(value, "weight", log: &log)
        {
            if (1...maxWeight).contains(number) {
                weight = UInt32(number)
            } else {
                log.error(value.location, "weight must be from 1 to \(maxWeight)")
            }
        }
        var enabled = true
        if allowsOptions, let value = fields["enabled"], let flag = ScalarDecoding.bool(value, "enabled", log: &log) {
            enabled = flag
        }
        guard let provider, let key else { return nil }
        return RouteConfig.Candidate(
            providerName: provider, keyName: key, weight: weight, enabled: enabled, location: fields.node.location)
    }
}
