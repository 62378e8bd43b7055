import Prometheus

/// The request series of one `service_type` label value, created once (when a table names the
/// service) so counting a request is a dictionary lookup, not a registry lookup.
final class ServiceSeries: Sendable {
    /// Counters for `1xx` … `5xx`, in that order.
    private let requestsByClass: [Counter]
    let latency: ValueHistogram
    let timeToFirstByte: ValueHistogram
    let failovers: Counter
    let serviceType: String
    private let registry: PrometheusCollectorRegistry

    init(serviceType: String, registry: PrometheusCollectorRegistry) {
        self.serviceType = serviceType
        self.registry = registry
        requestsByClass = (1...5).map { digit in
            registry.makeCounter(
                descriptor: GatewayMetrics.requestsTotal,
                labels: [("service_type", serviceType), ("status_class", "\(digit)xx")])
        }
        latency = registry.makeValueHistogram(
            descriptor: GatewayMetrics.requestLatency,
            labels: [("service_type", serviceType)],
            buckets: GatewayMetrics.latencyBuckets)
        failovers = registry.makeCounter(
            descriptor: GatewayMetrics.failoversTotal, labels: [("service_type", serviceType)])
        timeToFirstByte = registry.makeValueHistogram(
            descriptor: GatewayMetrics.upstreamTimeToFirstByte,
            labels: [("service_type", serviceType)],
            buckets: GatewayMetrics.latencyBuckets)
    }

    /// The `piapi_requests_total` counter for `status`; statuses outside 100–599 count as `other`.
    func requests(status: Int) -> Counter {
        let index = status / 100 - 1
        guard requestsByClass.indices.contains(index) else {
            return registry.makeCounter(
                descriptor: GatewayMetrics.requestsTotal,
                labels: [("service_type", serviceType), ("status_class", "other")])
        }
        return requestsByClass[index]
    }
}
