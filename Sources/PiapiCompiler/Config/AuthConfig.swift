import RouteTable

/// How a service expects the provider key, with every default applied: header mode,
/// `Authorization`, prefix `"Bearer "`.
struct AuthConfig: Sendable {
    static let defaultHeader = "Authorization"
    static let defaultPrefix = "Bearer "

    var mode: Injection.Mode
    /// The header name or the query item name, as written.
    var name: String
    /// Only for header mode; empty means none.
    var prefix: String

    static let `default` = AuthConfig(mode: .header, name: defaultHeader, prefix: defaultPrefix)
}
