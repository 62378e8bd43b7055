/// The production `Telemetry`: each finished request becomes one JSON log line and a few
/// Prometheus samples; a scrape also publishes every candidate's cooldown.
public final class GatewayTelemetry: Telemetry {
    public let metrics: GatewayMetrics
    public let requestLog: RequestLogWriter
    /// Tokens, cost, unknown usage, limit refusals and ledger drops, in `metrics`' registry.
    public let usage: UsageMetrics
    private let tables: TableStore
    private let candidates: CandidateRouter

    /// `candidates` is the router whose cooldowns `/metrics` shows (the server's).
    public init(metrics: GatewayMetrics, requestLog: RequestLogWriter, tables: TableStore, candidates: CandidateRouter,
                usage: UsageMetrics? = nil) {
        self.metrics = metrics
        self.usage = usage ?? UsageMetrics(registry: metrics.registry)
        self.requestLog = requestLog
        self.tables = tables
        self.candidates = candidates
    }

    public func requestStarted() {
        metrics.requestStarted()
    }

    public func upstreamFirstByte(serviceType: String, seconds: Double) {
        metrics.upstreamFirstByte(serviceType: serviceType, seconds: seconds)
    }

    public func requestFinished(_ record: RequestRecord) {
        metrics.requestFinished(serviceType: record.serviceType, status: record.status,
                                latencySeconds: record.latencySeconds, attempts: record.attempts)
        requestLog.write(record, tableHash: record.tableHash ?? tables.current.hash)
    }

    public func limitRejected(user: String, limit: LimitKind) {
        usage.limitRejected(user: user, limit: limit)
    }

    public func metricsText() -> String {
        metrics.publishCooldowns(candidates.cooldowns(in: tables.current))
        return metrics.text()
    }
}
