import PiapiLedger

#if canImport(FoundationEssentials)
// Everything this file uses from Foundation is in FoundationEssentials, which has no ICU.
import FoundationEssentials
#else
import Foundation
#endif
/// The production `Telemetry`: each finished request becomes one JSON log line and a few
/// Prometheus samples; a scrape also publishes every candidate's cooldown.
public final class GatewayTelemetry: Telemetry {
    public let metrics: GatewayMetrics
    public let requestLog: RequestLogWriter
    /// Tokens, cost, unknown usage, limit refusals and ledger drops, in `metrics`' registry.
    public let usage: UsageMetrics
    /// The WebSocket sessions' series, in `metrics`' registry.
    public let webSockets: WebSocketMetrics
    private let tables: TableStore
    private let candidates: CandidateRouter
    /// Sees every request too (the admin listener's records); nil when there is no admin side.
    let observer: (any RequestObserver)?
    /// Where finished requests go as ledger rows (`--ledger`); nil without a ledger.
    let ledger: LedgerWriter?

    /// `candidates` is the router whose cooldowns `/metrics` shows (the server's).
    public init(
        metrics: GatewayMetrics, requestLog: RequestLogWriter, tables: TableStore, candidates: CandidateRouter,
        usage: UsageMetrics? = nil, observer: (any RequestObserver)? = nil, ledger: LedgerWriter? = nil
    ) {
        self.ledger = ledger
        self.metrics = metrics
        self.usage = usage ?? UsageMetrics(registry: metrics.registry)
        webSockets = WebSocketMetrics(registry: metrics.registry)
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
        countUsage(record)
        // Requests for the API only: health checks and scrapes would drown the ledger.
        if let ledger, record.path.hasPrefix("/piapi") { ledger.enqueue(LedgerRow(record, time: Date())) }
        metrics.requestFinished(
            serviceType: record.serviceType, status: record.status,
            latencySeconds: record.latencySeconds, attempts: record.attempts)
        let tableHash = record.tableHash ?? tables.current.hash
        requestLog.write(record, tableHash: tableHash)
        observer?.requestFinished(record, tableHash: tableHash)
    }

    /// Tokens and cost of a forwarded response, or why a 2xx response's usage is unknown.
    func countUsage(_ record: RequestRecord) {
        guard let usage = record.usage, let serviceType = record.serviceType else { return }
        if let reason = usage.unknownReason {
            if (200..<300).contains(record.status) {
                self.usage.usageUnknown(serviceType: serviceType, reason: reason.rawValue)
            }
            return
        }
        self.usage.record(
            user: record.user, serviceType: serviceType, provider: record.upstreamProvider ?? "none",
            model: usage.model,
            kinds: [
                ("input", usage.input ?? 0), ("cache_read", usage.cacheRead ?? 0),
                ("cache_write", usage.cacheWrite ?? 0), ("output", usage.output ?? 0),
                ("reasoning", usage.reasoning ?? 0),
            ],
            costUSD: record.costUSD)
    }

    public func limitRejected(user: String, limit: LimitKind) {
        usage.limitRejected(user: user, limit: limit)
    }

    public func metricsText() -> String {
        metrics.publishCooldowns(candidates.cooldowns(in: tables.current))
        return metrics.text()
    }
}
