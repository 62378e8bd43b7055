/// Where a target's requests go, split so the gateway never parses a URL per request:
/// `<scheme>://<host>:<port><basePath><rest>?<baseQuery>&<client query>&<credential>`.
public struct Upstream: Hashable, Sendable {
    public enum Scheme: UInt8, Sendable, CaseIterable {
        case http = 0
        case https = 1

        public var name: String { self == .http ? "http" : "https" }
        public var defaultPort: UInt16 { self == .http ? 80 : 443 }
    }

    public var scheme: Scheme
    /// The host as written in the URL (IPv6 literals keep their brackets).
    public var host: String
    public var port: UInt16
    /// The path as written in `baseUrl`, without a trailing `/` added or removed; may be empty.
    public var basePath: String
    /// The query of `baseUrl` without the `?`; empty when there is none.
    public var baseQuery: String

    public init(scheme: Scheme, host: String, port: UInt16, basePath: String, baseQuery: String) {
        self.scheme = scheme
        self.host = host
        self.port = port
        self.basePath = basePath
        self.baseQuery = baseQuery
    }

    /// The `Host` header value: the port is left out when it is the scheme's default.
    public var hostHeader: String {
        port == scheme.defaultPort ? host : "\(host):\(port)"
    }

    /// The base URL as an operator would write it, but with every query value masked
    /// (`?code=***&api-version=***`): a base query can carry a token (Azure's `?code=`), so
    /// `inspect` and `diff` show only the item names.
    public var displayURL: String {
        "\(scheme.name)://\(hostHeader)\(basePath)" + (baseQuery.isEmpty ? "" : "?\(maskedQuery)")
    }

    /// `name=value` items as `name=***`; an item with no `=` may be a bare token and is masked whole.
    private var maskedQuery: String {
        baseQuery.split(separator: "&", omittingEmptySubsequences: false).map { item in
            guard let equals = item.firstIndex(of: "=") else { return item.isEmpty ? "" : "***" }
            return "\(item[..<equals])=***"
        }.joined(separator: "&")
    }
}
