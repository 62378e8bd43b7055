import NIOConcurrencyHelpers
import NIOCore
import RouteTable

/// The replica's memory for routes with several candidates, shared by all event loops: which
/// (provider, key) pairs are cooling down and where each route's rotation stands. It decides
/// the order a request tries its candidates in and learns from how each try ended.
public final class CandidateRouter: Sendable {
    public let clock: FailoverClock
    private let tables: TableStore
    private let state: NIOLockedValueBox<State>

    private struct State: Sendable {
        var health: [CandidatePair: CandidateHealth] = [:]
        var rotations: [RouteKey: RouteRotation] = [:]
        /// The table the state was last trimmed to, and what it said about each pair.
        var table: ObjectIdentifier?
        var targets: [CandidatePair: Set<Target>] = [:]
    }

    /// `tables` tells which table is current: the state is trimmed to it once it is in use.
    public init(tables: TableStore, clock: FailoverClock = .system) {
        self.tables = tables
        self.clock = clock
        state = NIOLockedValueBox(State())
    }

    /// Candidate positions of `route` in the order to try them for one request: the enabled
    /// candidates that are not cooling, as the strategy orders them, or — when all are
    /// cooling — all enabled ones by when their cooldown ends.
    func order(for route: Route, key: RouteKey, in serving: ServingTable) -> [Int] {
        let pairs = route.candidates.map { serving.table.targets[$0.target].pair }
        let now = clock.now()
        let isCurrent = serving === tables.current
        return state.withLockedValue { state in
            if isCurrent, state.table != ObjectIdentifier(serving) { Self.trim(&state, to: serving) }
            var ready: [Int] = []
            var cooling: [(position: Int, until: NIODeadline)] = []
            for (position, candidate) in route.candidates.enumerated() where candidate.enabled {
                if let health = state.health[pairs[position]], health.isCooling(at: now) {
                    cooling.append((position, health.coolingUntil))
                } else {
                    ready.append(position)
                }
            }
            guard !ready.isEmpty else {
                return cooling.sorted { ($0.until, $0.position) < ($1.until, $1.position) }.map(\.position)
            }
            var rotation = state.rotations[key] ?? RouteRotation(candidateCount: route.candidates.count)
            if rotation.candidateCount != route.candidates.count {
                rotation = RouteRotation(candidateCount: route.candidates.count)
            }
            let order = rotation.order(route, ready: ready)
            state.rotations[key] = rotation
            return order
        }
    }

    /// Learns from one finished try: a failure cools the pair down, a success clears it and
    /// makes the candidate the route's sticky one.
    func record(_ outcome: AttemptOutcome, retryAfter: Double?, pair: CandidatePair, route: RouteKey, position: Int) {
        let now = clock.now()
        state.withLockedValue { state in
            if outcome.isFailure {
                if state.health[pair] == nil {
                    state.health[pair] = CandidateHealth(failure: outcome, retryAfter: retryAfter, at: now)
                } else {
                    state.health[pair]?.record(outcome, retryAfter: retryAfter, at: now)
                }
            } else {
                state.health[pair] = nil
                state.rotations[route]?.sticky = position
            }
        }
    }

    /// Seconds of cooldown left for every (provider, key) pair of `serving`, 0 when healthy,
    /// sorted by provider and key.
    public func cooldowns(in serving: ServingTable) -> [(pair: CandidatePair, seconds: Double)] {
        let pairs = Set(serving.table.targets.map(\.pair)).sorted { ($0.provider, $0.key) < ($1.provider, $1.key) }
        let now = clock.now()
        return state.withLockedValue { state in
            pairs.map { ($0, state.health[$0]?.secondsLeft(at: now) ?? 0) }
        }
    }

    /// A read-only look at every cooling (provider, key) pair of `serving` for the admin side:
    /// seconds of cooldown left and the failure that caused it. Pairs not listed are healthy.
    public func coolingPairs(in serving: ServingTable) -> [CandidatePair: (seconds: Double, lastFailure: AttemptOutcome)] {
        let pairs = Set(serving.table.targets.map(\.pair))
        let now = clock.now()
        return state.withLockedValue { state in
            var cooling: [CandidatePair: (seconds: Double, lastFailure: AttemptOutcome)] = [:]
            for (pair, health) in state.health where pairs.contains(pair) && health.isCooling(at: now) {
                cooling[pair] = (health.secondsLeft(at: now), health.lastOutcome)
            }
            return cooling
        }
    }

    /// Keeps the health of pairs `serving` still has unchanged: a pair that is gone, or whose
    /// URL, auth or key value changed (someone fixed it), starts healthy. Rotations start over.
    private static func trim(_ state: inout State, to serving: ServingTable) {
        let targets = Dictionary(grouping: serving.table.targets, by: \.pair).mapValues(Set.init)
        state.health = state.health.filter { targets[$0.key] == state.targets[$0.key] }
        state.targets = targets
        state.rotations = [:]
        state.table = ObjectIdentifier(serving)
    }
}

extension Target {
    var pair: CandidatePair { CandidatePair(provider: provider, key: keyName) }
}
