import RouteTable

/// Splits a `baseUrl` into the parts the gateway needs (scheme, host, port, base path,
/// base query), enforcing the config rules. Errors describe the problem without quoting
/// the URL, whose query could carry a token.
enum BaseURLParser {
    static func parse(_ text: String) -> Result<Upstream, BaseURLError> {
        guard
            !text.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else {
            return .failure(.init("baseUrl must not contain spaces or control characters"))
        }
        guard let separator = text.range(of: "://") else {
            return .failure(.init("baseUrl must be an absolute http:// or https:// URL"))
        }
        let scheme: Upstream.Scheme
        switch text[..<separator.lowerBound].lowercased() {
        case "http": scheme = .http
        case "https": scheme = .https
        default: return .failure(.init("baseUrl must be an absolute http:// or https:// URL"))
        }
        let rest = text[separator.upperBound...]
        guard !rest.contains("#") else { return .failure(.init("baseUrl must not have a fragment (#…)")) }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else {
            return .failure(.init("credentials do not belong in baseUrl; put the key under the provider's apiKeys"))
        }
        guard let (host, port) = splitHostPort(authority, scheme: scheme) else {
            return .failure(.init("baseUrl port must be a number from 1 to 65535"))
        }
        guard !host.isEmpty else { return .failure(.init("baseUrl has no host")) }
        guard isValidHost(host) else {
            return .failure(.init("baseUrl host contains characters a host name cannot have"))
        }
        let afterAuthority = rest[authorityEnd...]
        let queryStart = afterAuthority.firstIndex(of: "?")
        let basePath = String(afterAuthority[..<(queryStart ?? afterAuthority.endIndex)])
        let baseQuery = queryStart.map { String(afterAuthority[afterAuthority.index(after: $0)...]) } ?? ""
        return .success(Upstream(scheme: scheme, host: host, port: port, basePath: basePath, baseQuery: baseQuery))
    }

    /// Nil when a port is written but is not 1–65535.
    private static func splitHostPort(_ authority: Substring, scheme: Upstream.Scheme) -> (String, UInt16)? {
        var host = authority
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return (String(authority), scheme.defaultPort) }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        }
        guard let portText else { return (String(host), scheme.defaultPort) }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
            portText.count <= 5, let port = Int(portText), (1...65535).contains(port)
        else { return nil }
        return (String(host), UInt16(port))
    }

    private static func isValidHost(_ host: String) -> Bool {
        if host.hasPrefix("[") {
            return host.hasSuffix("]") && host.count > 2
                && host.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
        }
        return host.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") }
    }
}
