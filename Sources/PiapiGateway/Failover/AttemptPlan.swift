/// The candidates one request may try, in order, and how each try it made ended. A route
/// with a single candidate gets a plan of one that never fails over and keeps no health.
struct AttemptPlan {
    /// The route, when it has several candidates (failover and health tracking are on).
    let route: RouteKey?
    /// Positions in the route's candidate list, in try order (empty for a single candidate).
    let positions: [Int]
    /// Target index (into the table) of each try, in order.
    let targets: [Int]
    /// Index into `positions` of the try in progress (or the last one).
    private(set) var current = -1
    private(set) var attempts: [UpstreamAttempt] = []

    static func single(target: Int) -> AttemptPlan {
        AttemptPlan(route: nil, positions: [], targets: [target])
    }

    init(route: RouteKey?, positions: [Int], targets: [Int]) {
        self.route = route
        self.positions = positions
        self.targets = targets
    }

    var hasNext: Bool { current + 1 < targets.count }

    /// Moves to the next candidate.
    mutating func advance() {
        current += 1
    }

    /// Target index of the try in progress (or the last one); nil before the first.
    var currentTarget: Int? { current >= 0 ? targets[current] : nil }

    /// Whether the route has more than one candidate: tries may fail over and count for health.
    var failsOver: Bool { route != nil }

    /// The current try's position in the route's candidate list.
    var currentPosition: Int { positions.isEmpty ? 0 : positions[current] }

    mutating func append(_ attempt: UpstreamAttempt) {
        attempts.append(attempt)
    }
}
