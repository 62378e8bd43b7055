/// A user as the table knows them: the digest of their key, their name for logs, their
/// routes sorted by service type, and their effective limits.
public struct UserRoutes: Hashable, Sendable {
    public var keyDigest: KeyDigest
    public var name: String
    public var routes: [Route]
    /// The limits that apply to this user, defaults already merged (`.unlimited` when none).
    public var limits: UserLimits

    public init(keyDigest: KeyDigest, name: String, routes: [Route], limits: UserLimits = .unlimited) {
        self.keyDigest = keyDigest
        self.name = name
        self.routes = routes.sorted { $0.service < $1.service }
        self.limits = limits
    }

    /// The route for a service type; a user has a handful, so a scan beats hashing.
    @inlinable
    public func route(for service: String) -> Route? {
        for route in routes where route.service == service { return route }
        return nil
    }

    /// The same for a service type sliced out of a request path, without copying it.
    @inlinable
    public func route(for service: Substring) -> Route? {
        for route in routes where route.service.utf8.elementsEqual(service.utf8) { return route }
        return nil
    }
}
