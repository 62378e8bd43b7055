import RouteTable

/// The per-route memory of the spreading strategies: the round-robin turn, the smooth
/// weighted round-robin's running weights (`weighted_rr` and `adaptive_rr`) and the sticky
/// candidate.
struct RouteRotation: Sendable {
    private(set) var candidateCount: Int
    private var turn = 0
    private var currentWeights: [Int64]
    /// Position of the candidate that last succeeded (`sticky_healthy`).
    var sticky: Int?

    init(candidateCount: Int) {
        self.candidateCount = candidateCount
        currentWeights = Array(repeating: 0, count: candidateCount)
    }

    /// The order to try `ready` (positions of enabled, non-cooling candidates, ascending) in
    /// for one request; advances the rotation once. `adaptiveWeights` (`adaptive_rr` only) holds
    /// each candidate's effective weight, scaled (`AdaptiveWeighting.scale`), by position.
    mutating func order(_ route: Route, ready: [Int], adaptiveWeights: [Int64] = []) -> [Int] {
        guard ready.count > 1 else { return ready }
        switch route.strategy {
        case .failover:
            return ready
        case .roundRobin:
            let enabled = route.candidates.indices.filter { route.candidates[$0].enabled }
            let start = enabled[turn % enabled.count]
            turn &+= 1
            return Self.rotated(ready, startingAt: start)
        case .weightedRoundRobin:
            return Self.rotated(ready, startingAt: nextWeighted(ready) { Int64(route.candidates[$0].weight) })
        case .adaptiveRoundRobin:
            return Self.rotated(ready, startingAt: nextWeighted(ready) { adaptiveWeights[$0] })
        case .stickyHealthy:
            guard let sticky, ready.contains(sticky) else { return ready }
            return [sticky] + ready.filter { $0 != sticky }
        }
    }

    /// Smooth weighted round robin (as in nginx): each ready candidate gains its weight, the
    /// richest is picked and pays the total. Deterministic; 3:1 weights pick 3:1 in every 4.
    /// Weights may change from one request to the next (`adaptive_rr`): each pick uses the
    /// current ones, as nginx does with its effective weights.
    private mutating func nextWeighted(_ ready: [Int], weight: (Int) -> Int64) -> Int {
        var total: Int64 = 0
        var best = ready[0]
        for position in ready {
            let weight = weight(position)
            currentWeights[position] += weight
            total += weight
            if currentWeights[position] > currentWeights[best] { best = position }
        }
        currentWeights[best] -= total
        return best
    }

    /// `ready` from the first position at or after `start`, wrapping around.
    private static func rotated(_ ready: [Int], startingAt start: Int) -> [Int] {
        let split = ready.firstIndex(where: { $0 >= start }) ?? 0
        return Array(ready[split...] + ready[..<split])
    }
}
