import RouteTable

/// Decodes one provider service: its type, its `baseUrl` (split into an `Upstream`) and
/// its auth; warns about plain-http upstreams.
enum ServiceDecoder {
    static func decode(_ node: YAMLNode, log: inout DiagnosticLog) -> ServiceConfig? {
        guard let fields = MappingFields(node, what: "service", known: ["type", "baseUrl", "auth"], log: &log) else { return nil }
        let type = fields.required("type", log: &log).flatMap { value in
            ScalarDecoding.nonEmptyText(value, "service type", log: &log).map { Located($0, at: value.location) }
        }
        var upstream: Upstream?
        var urlLocation = node.location
        if let value = fields.required("baseUrl", log: &log), let text = ScalarDecoding.nonEmptyText(value, "baseUrl", log: &log) {
            urlLocation = value.location
            switch BaseURLParser.parse(text) {
            case .success(let parsed):
                upstream = parsed
                if parsed.scheme == .http {
                    log.warning(value.location, "baseUrl uses plain http://; the provider key travels unencrypted")
                }
            case .failure(let error):
                log.error(value.location, error.message)
            }
        }
        let auth = fields["auth"].map { AuthDecoder.decode($0, log: &log) } ?? AuthConfig.default
        guard let type, let upstream, let auth else { return nil }
        return ServiceConfig(type: type, upstream: upstream, baseUrlLocation: urlLocation, auth: auth, location: node.location)
    }
}
