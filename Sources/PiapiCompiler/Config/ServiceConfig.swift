import RouteTable

/// A provider's endpoint for one service type, with its upstream already split.
struct ServiceConfig: Sendable {
    var type: Located<String>
    var upstream: Upstream
    var auth: AuthConfig
}
