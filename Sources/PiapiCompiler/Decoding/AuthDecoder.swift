import RouteTable

/// Decodes a service's `auth` block, applying the defaults (header mode, `Authorization`,
/// prefix `"Bearer "`) and the rules of each mode.
enum AuthDecoder {
    static let modes = ["header", "query"]

    static func decode(_ node: YAMLNode, log: inout DiagnosticLog) -> AuthConfig? {
        guard let fields = MappingFields(node, what: "auth", known: ["mode", "name", "prefix"], log: &log) else {
            return nil
        }
        var mode = Injection.Mode.header
        if let value = fields["mode"] {
            guard let text = ScalarDecoding.text(value, "auth.mode", log: &log) else { return nil }
            switch text {
            case "header": mode = .header
            case "query": mode = .query
            default:
                log.error(
                    value.location, "auth.mode must be 'header' or 'query'",
                    note: FieldSuggestion.note(for: text, among: modes))
                return nil
            }
        }
        switch mode {
        case .header: return decodeHeader(fields, log: &log)
        case .query: return decodeQuery(fields, log: &log)
        }
    }

    private static func decodeHeader(_ fields: MappingFields, log: inout DiagnosticLog) -> AuthConfig? {
        var name = AuthConfig.defaultHeader
        if let value = fields["name"] {
            guard let text = ScalarDecoding.nonEmptyText(value, "auth.name", log: &log) else { return nil }
            guard isHeaderToken(text) else {
                log.error(value.location, "auth.name is not a valid HTTP header name")
                return nil
            }
            guard !Injection.isReservedHeader(text) else {
                log.error(
                    value.location, "auth.name '\(text)' is a header the gateway manages; it cannot carry the key")
                return nil
            }
            name = text
        }
        guard let prefixNode = fields["prefix"] else {
            if name.lowercased() != AuthConfig.defaultHeader.lowercased() {
                log.warning(
                    fields["name"]?.location ?? fields.node.location,
                    "header '\(name)' gets the default prefix \"Bearer \"",
                    note: "write prefix: \"\" if the upstream expects the bare key")
            }
            return AuthConfig(mode: .header, name: name, prefix: AuthConfig.defaultPrefix)
        }
        guard let prefix = ScalarDecoding.text(prefixNode, "auth.prefix", log: &log) else { return nil }
        guard !prefix.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            log.error(prefixNode.location, "auth.prefix contains control characters")
            return nil
        }
        return AuthConfig(mode: .header, name: name, prefix: prefix)
    }

    private static func decodeQuery(_ fields: MappingFields, log: inout DiagnosticLog) -> AuthConfig? {
        if let location = fields.keyLocation("prefix") {
            log.error(location, "auth.prefix applies only to header mode")
        }
        guard let value = fields["name"] else {
            log.error(
                fields.node.location, "auth is missing required field 'name' (query mode needs the query item name)")
            return nil
        }
        guard let name = ScalarDecoding.nonEmptyText(value, "auth.name", log: &log) else { return nil }
        return AuthConfig(mode: .query, name: name, prefix: "")
    }

    /// RFC 9110 token characters.
    static func isHeaderToken(_ text: String) -> Bool {
        !text.isEmpty
            && text.unicodeScalars.allSatisfy { c in
                c.isASCII
                    && (c.properties.isAlphabetic || ("0"..."9").contains(c)
                        || "!#$%&'*+-.^_`|~".unicodeScalars.contains(c))
            }
    }
}
