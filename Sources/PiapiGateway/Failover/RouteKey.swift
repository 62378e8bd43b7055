/// Names one route across tables: its user and service type.
struct RouteKey: Hashable, Sendable {
    var user: String
    var service: String
}
