import NIOConcurrencyHelpers
import Prometheus

/// The §11 series: sessions open now, sessions ended by outcome, and bytes each way, by
/// service type. Service types are table names (a session only opens on a routed request),
/// outcomes a closed set, so the label space is bounded by the config.
public final class WebSocketMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let series = NIOLockedValueBox<[String: Series]>([:])

    /// The series of one service type, created together on its first session.
    private struct Series: Sendable {
        let open: Gauge
        let fromClient: Counter
        let fromUpstream: Counter
        let ended: [WebSocketCloseReason: Counter]
    }

    static var sessionsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "piapi", metricName: "websocket_sessions", unitName: "",
            helpText: "WebSocket sessions open now, by service type.")
    }
    static var sessionsTotalName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "piapi", metricName: "websocket_sessions", unitName: "total",
            helpText: "WebSocket sessions ended, by service type and outcome (how they ended).")
    }
    static var bytesName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "piapi", metricName: "websocket_bytes", unitName: "total",
            helpText: "Bytes through WebSocket tunnels after the handshake, by service type and direction.")
    }

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func opened(serviceType: String) {
        series(serviceType).open.increment()
    }

    /// Counted as bytes pass (one atomic add each), so long sessions show up before they end.
    func bytes(serviceType: String, fromClient: Int, fromUpstream: Int) {
        let s = series(serviceType)
        if fromClient > 0 { s.fromClient.increment(by: Int64(fromClient)) }
        if fromUpstream > 0 { s.fromUpstream.increment(by: Int64(fromUpstream)) }
    }

    func closed(serviceType: String, reason: WebSocketCloseReason) {
        let s = series(serviceType)
        s.open.decrement()
        s.ended[reason]?.increment()
    }

    private func series(_ serviceType: String) -> Series {
        series.withLockedValue { all in
            if let existing = all[serviceType] { return existing }
            let label = ("service_type", serviceType)
            var ended: [WebSocketCloseReason: Counter] = [:]
            for reason in WebSocketCloseReason.allCases {
                ended[reason] = registry.makeCounter(
                    descriptor: Self.sessionsTotalName,
                    labels: [label, ("outcome", reason.rawValue)])
            }
            let created = Series(
                open: registry.makeGauge(descriptor: Self.sessionsName, labels: [label]),
                fromClient: registry.makeCounter(
                    descriptor: Self.bytesName, labels: [label, ("direction", "client_to_upstream")]),
                fromUpstream: registry.makeCounter(
                    descriptor: Self.bytesName, labels: [label, ("direction", "upstream_to_client")]),
                ended: ended)
            all[serviceType] = created
            return created
        }
    }
}
