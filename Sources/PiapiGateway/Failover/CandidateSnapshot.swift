import RouteTable

/// What the candidate router knows at one moment, for display (the admin listener's
/// `/api/routes`): per (provider, key) pair its health and error rate, per route candidate its
/// effective weight. Names only — no key, no key digest. Made by `CandidateRouter.snapshot(of:)`.
public struct CandidateSnapshot: Sendable, Equatable {
    /// One (provider, key) pair: what cooldowns and error rates are kept by, shared by every
    /// route that uses the pair.
    public struct PairState: Sendable, Equatable {
        public var pair: CandidatePair
        /// The decayed failure rate now, from 0 to 1 (`ErrorRate`); 0 for a pair nobody tried.
        /// Tries of single-candidate routes do not count.
        public var errorRate: Double
        /// Seconds of cooldown left; 0 when the pair is not cooling.
        public var cooldownSeconds: Double
        /// How the last counted try ended; nil before the first (or since a reload that changed
        /// the pair).
        public var lastOutcome: AttemptOutcome?
        /// Counted tries since the pair was taken into use (or changed by a reload).
        public var attempts: Int
        /// Seconds since the last counted try; nil before the first.
        public var secondsSinceLastTry: Double?
    }

    /// One candidate of one route.
    public struct CandidateState: Sendable, Equatable {
        /// Position in the route's candidate list (0-based, config order).
        public var position: Int
        public var pair: CandidatePair
        /// The configured weight.
        public var weight: UInt32
        public var enabled: Bool
        /// The weight the route's strategy spreads requests by now: for `adaptive_rr`
        /// `weight × max(floor, 1 − errorRate)` as the rotation uses it (in steps of 1/1000,
        /// see `AdaptiveWeighting.scale`); for the other strategies the configured weight
        /// (`weighted_rr` spreads by it, `failover`, `round_robin` and `sticky_healthy` ignore
        /// it). 0 for a disabled candidate. A cooling candidate keeps its value (it is skipped
        /// for now, and comes back with it). A single-candidate route's one candidate gets its
        /// configured weight whatever the strategy: nothing is spread there.
        public var effectiveWeight: Double
    }

    /// One user's route for one service type.
    public struct RouteState: Sendable, Equatable {
        public var user: String
        public var service: String
        public var strategy: Route.Strategy
        public var candidates: [CandidateState]
    }

    /// The half-life and floor the effective weights were computed with.
    public var adaptive: AdaptiveWeighting
    /// Every pair of the table, sorted by provider and key.
    public var pairs: [PairState]
    /// Every route of the table (single-candidate ones too), sorted by user name and service.
    public var routes: [RouteState]

    /// The state of `pair`, if the table has it.
    public func pair(_ pair: CandidatePair) -> PairState? {
        pairs.first { $0.pair == pair }
    }

    /// The route of `user` for `service`, if the table has it.
    public func route(user: String, service: String) -> RouteState? {
        routes.first { $0.user == user && $0.service == service }
    }
}
