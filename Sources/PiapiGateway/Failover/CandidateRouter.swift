import NIOConcurrencyHelpers
import NIOCore
import RouteTable

/// The replica's memory for routes with several candidates, shared by all event loops: which
/// (provider, key) pairs are cooling down, how often each has failed lately, and where each
/// route's rotation stands. It decides the order a request tries its candidates in and learns
/// from how each try ended.
public final class CandidateRouter: Sendable {
    public let clock: FailoverClock
    /// `adaptive_rr`'s half-life and floor.
    public let adaptive: AdaptiveWeighting
    private let tables: TableStore
    private let state: NIOLockedValueBox<State>
    /// When the router was made: a pair recorded before any table was in use counts as healthy
    /// since then (`trim` gives the pairs of each table it takes into use their own start).
    private let start: NIODeadline

    private struct State: Sendable {
        var health: [CandidatePair: CandidateHealth] = [:]
        /// Every pair's decaying failure rate (kept for every strategy, used by `adaptive_rr`).
        var errorRates: [CandidatePair: ErrorRate] = [:]
        var rotations: [RouteKey: RouteRotation] = [:]
        /// The table the state was last trimmed to, and what it said about each pair.
        var table: ObjectIdentifier?
        var targets: [CandidatePair: Set<Target>] = [:]
    }

    /// `tables` tells which table is current: the state is trimmed to it once it is in use.
    public init(tables: TableStore, clock: FailoverClock = .system, adaptive: AdaptiveWeighting = .standard) {
        self.tables = tables
        self.clock = clock
        self.adaptive = adaptive
        start = clock.now()
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
            if isCurrent, state.table != ObjectIdentifier(serving) { Self.trim(&state, to: serving, at: now) }
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
            var weights: [Int64] = []
            if route.strategy == .adaptiveRoundRobin, ready.count > 1 {
                weights = route.candidates.indices.map { position in
                    adaptive.scaledWeight(
                        route.candidates[position].weight,
                        errorRate: state.errorRates[pairs[position]]?.value(at: now, adaptive) ?? 0)
                }
            }
            let order = rotation.order(route, ready: ready, adaptiveWeights: weights)
            state.rotations[key] = rotation
            return order
        }
    }

    /// Learns from one finished try: a failure cools the pair down, a success clears it and
    /// makes the candidate the route's sticky one; either moves the pair's error rate.
    func record(_ outcome: AttemptOutcome, retryAfter: Double?, pair: CandidatePair, route: RouteKey, position: Int) {
        let now = clock.now()
        state.withLockedValue { state in
            state.errorRates[pair, default: ErrorRate(since: start)].record(outcome, at: now, adaptive)
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

    /// A read-only picture of the router now, for display: every pair of `serving` with its
    /// error rate, cooldown and last outcome, and every route with each candidate's effective
    /// weight. Takes the lock once, briefly (the per-route part is computed outside it);
    /// changes nothing but — like a request would — trims the state to `serving` when that is
    /// the current table and has not been used yet.
    public func snapshot(of serving: ServingTable) -> CandidateSnapshot {
        let table = serving.table
        let pairs = Set(table.targets.map(\.pair)).sorted { ($0.provider, $0.key) < ($1.provider, $1.key) }
        let now = clock.now()
        let isCurrent = serving === tables.current
        let states: [CandidateSnapshot.PairState] = state.withLockedValue { state in
            if isCurrent, state.table != ObjectIdentifier(serving) { Self.trim(&state, to: serving, at: now) }
            return pairs.map { pair in
                let rate = state.errorRates[pair]
                return CandidateSnapshot.PairState(
                    pair: pair, errorRate: rate?.value(at: now, adaptive) ?? 0,
                    cooldownSeconds: state.health[pair]?.secondsLeft(at: now) ?? 0,
                    lastOutcome: rate?.lastOutcome, attempts: rate?.tries ?? 0,
                    secondsSinceLastTry: rate?.secondsSinceLastOutcome(at: now))
            }
        }
        let errorRates = Dictionary(uniqueKeysWithValues: states.map { ($0.pair, $0.errorRate) })
        var routes: [CandidateSnapshot.RouteState] = []
        for user in table.users {
            for route in user.routes {
                let adapts = route.strategy == .adaptiveRoundRobin && route.candidates.count > 1
                let candidates = route.candidates.enumerated().map { position, candidate in
                    let pair = table.targets[candidate.target].pair
                    let effective =
                        !candidate.enabled
                        ? 0
                        : adapts
                            ? Double(adaptive.scaledWeight(candidate.weight, errorRate: errorRates[pair] ?? 0))
                                / Double(AdaptiveWeighting.scale)
                            : Double(candidate.weight)
                    return CandidateSnapshot.CandidateState(
                        position: position, pair: pair, weight: candidate.weight,
                        enabled: candidate.enabled, effectiveWeight: effective)
                }
                routes.append(
                    CandidateSnapshot.RouteState(
                        user: user.name, service: route.service,
                        strategy: route.strategy, candidates: candidates))
            }
        }
        routes.sort { ($0.user, $0.service) < ($1.user, $1.service) }
        return CandidateSnapshot(adaptive: adaptive, pairs: states, routes: routes)
    }

    /// Keeps the health and error rates of pairs `serving` still has unchanged: a pair that is
    /// new, or whose URL, auth or key value changed (someone fixed it), starts healthy — no
    /// cooldown, error rate 0 and counted as healthy from `now` on; a pair that is gone is
    /// forgotten. Rotations start over.
    private static func trim(_ state: inout State, to serving: ServingTable, at now: NIODeadline) {
        let targets = Dictionary(grouping: serving.table.targets, by: \.pair).mapValues(Set.init)
        state.health = state.health.filter { targets[$0.key] == state.targets[$0.key] }
        for pair in targets.keys where targets[pair] != state.targets[pair] {
            state.errorRates[pair] = ErrorRate(since: now)
        }
        state.errorRates = state.errorRates.filter { targets[$0.key] != nil }
        state.targets = targets
        state.rotations = [:]
        state.table = ObjectIdentifier(serving)
    }
}

extension Target {
    var pair: CandidatePair { CandidatePair(provider: provider, key: keyName) }
}
