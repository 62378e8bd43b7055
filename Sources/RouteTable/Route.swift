/// What one user gets for one service type: an ordered chain of candidate targets and the
/// strategy that picks among them. A plain route is a chain of one.
public struct Route: Hashable, Sendable {
    public enum Strategy: UInt8, Sendable, CaseIterable {
        case failover = 0
        case roundRobin = 1
        case weightedRoundRobin = 2
        case stickyHealthy = 3
        /// Smooth weighted round robin over weights shrunk by each pair's recent error rate.
        /// Stored as the byte 4 in the binary format (still version 2): a table using it is
        /// refused as corrupt ("unknown strategy") by a build that predates it, which keeps
        /// serving its old table.
        case adaptiveRoundRobin = 4

        /// The spelling used in config files, `inspect` and JSON tables.
        public var name: String {
            switch self {
            case .failover: "failover"
            case .roundRobin: "round_robin"
            case .weightedRoundRobin: "weighted_rr"
            case .stickyHealthy: "sticky_healthy"
            case .adaptiveRoundRobin: "adaptive_rr"
            }
        }

        public init?(name: String) {
            guard let match = Self.allCases.first(where: { $0.name == name }) else { return nil }
            self = match
        }
    }

    public struct Candidate: Hashable, Sendable {
        /// Index into `RouteTable.targets`.
        public var target: Int
        public var weight: UInt32
        public var enabled: Bool

        public init(target: Int, weight: UInt32 = 1, enabled: Bool = true) {
            self.target = target
            self.weight = weight
            self.enabled = enabled
        }
    }

    public var service: String
    public var strategy: Strategy
    public var candidates: [Candidate]

    public init(service: String, strategy: Strategy = .failover, candidates: [Candidate]) {
        self.service = service
        self.strategy = strategy
        self.candidates = candidates
    }
}
