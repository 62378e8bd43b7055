import RouteTable

/// Decodes one provider service: its type, its `baseUrl` (split into an `Upstream`) and
/// its auth; warns about plain-http upstreams.
enum ServiceDecoder {
    static func decode(_ node: YAMLNode, log: inout DiagnosticLog) -> ServiceConfig? {
        guard let fields = MappingFields(node, what: "service", known: ["type", "baseUrl", "auth"], log: &log) else {
            return nil
        }
        let type = fields.required("type", log: &log).flatMap { value -> Located<String>? in
            guard let text = ScalarDecoding.nonEmptyText(value, "service type", log: &log) else { return nil }
            guard ServiceTypeName.isValid(text) else {
                log.error(
                    value.location, "service type '\(text)' cannot appear in /piapi/<service_type>/",
                    note: ServiceTypeName.rule)
                return nil
            }
            return Located(text, at: value.location)
        }
        var upstream: Upstream?
        if let value = fields.required("baseUrl", log: &log),
            let text = ScalarDecoding.nonEmptyText(value, "baseUrl", log: &log)
        {
            switch BaseURLParser.parse(text) {
            case .success(let parsed):
                upstream = parsed
                if parsed.scheme == .http {
                    log.warning(value.location, "baseUrl uses plain http://; the provider key travels unencrypted")
                }
            case .failure(let error):
                log.error(value.location, error.message)
                // A refused URL may hold credentials (user:password@); excerpts mask it.
                log.markSecret(value)
            }
        }
        let auth = fields["auth"].map { AuthDecoder.decode($0, log: &log) } ?? AuthConfig.default
        guard let type, let upstream, let auth else { return nil }
        return ServiceConfig(type: type, upstream: upstream, auth: auth)
    }
}
