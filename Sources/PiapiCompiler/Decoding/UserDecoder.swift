import RouteTable

/// Decodes one user: name, gateway key (a literal secret, stored only as a digest), the
/// route for each service type and the user's own limits.
enum UserDecoder {
    static func decode(_ node: YAMLNode, index: Int, log: inout DiagnosticLog) -> UserConfig? {
        guard
            let fields = MappingFields(node, what: "user", known: ["name", "apiKey", "services", "limits"], log: &log)
        else { return nil }
        for value in fields.allValues("apiKey") { log.markSecret(value) }
        let name = fields.required("name", log: &log).flatMap { value in
            ScalarDecoding.nonEmptyText(value, "user name", log: &log).map { Located($0, at: value.location) }
        }
        let apiKey = fields.required("apiKey", log: &log).flatMap { literalKey($0, log: &log) }
        var routes: [RouteConfig] = []
        if let value = fields.required("services", log: &log),
            let services = MappingFields(value, what: "user services", known: nil, log: &log)
        {
            if !services.hasKeys { log.error(value.location, "user services must not be empty") }
            for entry in services.dataEntries {
                let type = ScalarDecoding.trimmed(entry.key)
                guard !type.isEmpty else {
                    log.error(entry.keyLocation, "service type must not be empty")
                    continue
                }
                guard ServiceTypeName.isValid(type) else {
                    log.error(
                        entry.keyLocation, "service type '\(type)' cannot appear in /piapi/<service_type>/",
                        note: ServiceTypeName.rule)
                    continue
                }
                if let route = RouteDecoder.decode(
                    entry.value, service: Located(type, at: entry.keyLocation), log: &log)
                {
                    routes.append(route)
                }
            }
        }
        let limits = fields["limits"].flatMap { LimitsDecoder.decode($0, isDefaults: false, log: &log) }
        guard let name else { return nil }
        return UserConfig(index: index, name: name, apiKey: apiKey, routes: routes, limits: limits)
    }

    /// The key as written; messages never quote it.
    private static func literalKey(_ node: YAMLNode, log: inout DiagnosticLog) -> Located<String>? {
        guard let text = ScalarDecoding.text(node, "user apiKey", log: &log) else { return nil }
        guard !ScalarDecoding.trimmed(text).isEmpty else {
            log.error(node.location, "user apiKey must not be empty")
            return nil
        }
        guard !text.contains("${") else {
            log.error(
                node.location,
                "user apiKey must be a literal: it is stored only as a SHA-256 digest, so ${VAR} is not resolved")
            return nil
        }
        guard
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else {
            log.error(node.location, "user apiKey must not contain whitespace or control characters")
            return nil
        }
        return Located(text, at: node.location)
    }
}
