/// The production `Telemetry`: each finished request becomes one JSON log line and a few
/// Prometheus samples; a scrape also publishes every candidate's cooldown.
public final class GatewayTelemetry: Telemetry {
    public let metrics: GatewayMetrics
    public let requestLog: RequestLogWriter
    /// Tokens, cost, unknown usage, limit refusals and ledger drops, in `metrics`' registry.
    public let usage: UsageMetrics
    private let tables: TableStore
    private let candidates: CandidateRouter
    /// Sees every request too (the admin listener's records); nil when there is no admin side.
    private let observer: (any RequestObserver)?

    /// `candidates` is the router whose cooldowns `/metrics` shows (the server's).
    public init(metrics: GatewayMetrics, requestLog: RequestLogWriter, tables: TableStore, candidates: CandidateRouter,
                usage: UsageMetrics? = nil, observer: (any RequestObserver)? = nil) {
        self.metrics = metrics
        self.usage = usage ?? UsageMetrics(registry: metrics.registry)
        self.requestLog = requestLog
        self.tables = tables
        self.candidates = candidates
        self.observer = observer
    }

    public func requestStarted() {
        metrics.requestStarted()
        observer?.requestStarted()
    }

    public func upstreamFirstByte(serviceType: String, seconds: Double) {
        metrics.upstreamFirstByte(serviceType: serviceType, seconds: seconds)
    }

    public func requestFinished(_ record: RequestRecord) {
        metrics.requestFinished(serviceType: record.serviceType, status: record.status,
                                latencySeconds: record.latencySeconds, attempts: record.attempts)
        let tableHash = record.tableHash ?? tables.current.hash
        requestLog.write(record, tableHash: tableHash)
        observer?.requestFinished(record, tableHash: tableHash)
    }

    public func limitRejected(user: String, limit: LimitKind) {
        usage.limitRejected(user: user, limit: limit)
    }

    public func metricsText() -> String {
        metrics.publishCooldowns(candidates.cooldowns(in: tables.current))
        return metrics.text()
    }
}
