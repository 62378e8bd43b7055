import RouteTable

/// The scheme, host and port that upstream connections are pooled by.
struct UpstreamOrigin: Hashable, Sendable {
    var scheme: Upstream.Scheme
    /// The host to connect to (IPv6 literals without brackets).
    var host: String
    var port: Int

    init(_ upstream: Upstream) {
        scheme = upstream.scheme
        var host = upstream.host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        port = Int(upstream.port)
    }

    /// The name sent in TLS SNI and checked against the certificate; nil for IP literals,
    /// which SNI does not allow.
    var serverName: String? {
        let isIPv4 = host.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") }
        return isIPv4 || host.contains(":") ? nil : host
    }
}
