import NIOCore

/// Every knob of piapi-serve in one value, filled from the command line by the executable
/// and read by the server; defaults are the contract's.
public struct GatewayConfiguration: Sendable {
    public var host: String = "0.0.0.0"
    public var port: Int = 9200
    /// Until the upstream's response headers arrive.
    public var upstreamTimeout: TimeAmount = .seconds(300)
    /// Longest silence allowed mid-stream, either direction.
    public var idleTimeout: TimeAmount = .seconds(300)
    /// How long in-flight requests may run on after SIGTERM.
    public var drainTimeout: TimeAmount = .seconds(30)
    /// A request head must be complete within this long.
    public var headerTimeout: TimeAmount = .seconds(10)
    /// An idle keep-alive client connection is closed after this long.
    public var keepAliveTimeout: TimeAmount = .seconds(60)
    public var connectTimeout: TimeAmount = .seconds(10)
    public var maxConnections: Int = 10_000
    /// Request line plus headers, in bytes; larger → 431.
    public var maxHeadSize: Int = 32 * 1024
    /// Extra PEM roots trusted for https upstreams, besides the system's.
    public var upstreamCAFile: String? = nil
    /// Largest request body held in memory for a replay to the next candidate (contract §5).
    public var retryBodyLimit: Int = 4 << 20
    /// `adaptive_rr`'s error-rate half-life and weight floor (`--adaptive-half-life`,
    /// `--adaptive-floor`). Read by whoever makes the `CandidateRouter` (`GatewayProcess`).
    public var adaptive: AdaptiveWeighting = .standard
    /// Whether the main listener answers `/metrics` (`--no-public-metrics` turns it off, for
    /// when the admin listener serves it instead); when off, `/metrics` is a 404 there.
    public var publicMetrics: Bool = true
    /// The admin listener (`--admin-listen`); nil: none. Its token, when not set here, is read
    /// from `PIAPI_ADMIN_TOKEN` in the environment `GatewayProcess` is given.
    public var admin: AdminConfiguration? = nil
    /// `--ledger`: where finished requests are recorded (`sqlite:PATH` or `postgres://…`),
    /// kept as text until the process opens it (PGPASSWORD is read from its environment).
    public var ledger: String? = nil
    /// `--ledger-retention`: days of rows kept; nil keeps every row.
    public var ledgerRetentionDays: Int? = nil
    /// `--metrics-user-label`: whether token and cost series carry a `user` label.
    public var metricsUserLabel: Bool = true
    /// The environment variables the table's `${VAR}` references may read (`--env-allow`).
    public var environmentAllowList: EnvironmentAllowList = .everything
    /// `--threads`: event loops serving client and upstream connections. Each client
    /// connection and its upstream connections live on one loop, so more loops than cores only
    /// add context switches.
    public var eventLoopThreads: Int = GatewayConfiguration.defaultEventLoopThreads
    /// One loop per core. A quiet sitting once showed one loop on 2 cores serving as much as
    /// two; a later `bench/gateway.sh --compare` on a busier machine gave one loop 0.67–0.74×
    /// of the previous main (one loop per core) and two loops 0.88–1.05× (docs/performance.md,
    /// "Event loops and the upstream pool"): a second loop absorbs load the machine adds.
    public static var defaultEventLoopThreads: Int { System.coreCount }
    /// More loops than this is a typo, not a tuning choice.
    public static let maxEventLoopThreads = 256

    public init() {}
}
