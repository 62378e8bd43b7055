/// The production `Telemetry`: each finished request becomes one JSON log line and a few
/// Prometheus samples.
public final class GatewayTelemetry: Telemetry {
    public let metrics: GatewayMetrics
    public let requestLog: RequestLogWriter
    private let tables: TableStore

    public init(metrics: GatewayMetrics, requestLog: RequestLogWriter, tables: TableStore) {
        self.metrics = metrics
        self.requestLog = requestLog
        self.tables = tables
    }

    public func requestStarted() {
        metrics.requestStarted()
    }

    public func upstreamFirstByte(serviceType: String, seconds: Double) {
        metrics.upstreamFirstByte(serviceType: serviceType, seconds: seconds)
    }

    public func requestFinished(_ record: RequestRecord) {
        metrics.requestFinished(serviceType: record.serviceType, status: record.status,
                                latencySeconds: record.latencySeconds)
        requestLog.write(record, tableHash: record.tableHash ?? tables.current.hash)
    }

    public func metricsText() -> String {
        metrics.text()
    }
}
