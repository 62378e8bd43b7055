import RouteTable

/// A user's route for one service type: one candidate, or a chain with a strategy.
struct RouteConfig: Sendable {
    /// One (provider, key) a route may use.
    struct Candidate: Sendable {
        var providerName: Located<String>
        var keyName: Located<String>
        var weight: UInt32
        var enabled: Bool
        var location: SourceLocation
    }

    var service: Located<String>
    var strategy: Route.Strategy
    var candidates: [Candidate]
}
