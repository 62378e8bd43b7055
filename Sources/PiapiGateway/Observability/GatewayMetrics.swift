import NIOConcurrencyHelpers
import Prometheus

/// The gateway's Prometheus series, in a registry of their own so each instance (and each
/// test) counts alone. Label values are bounded: `service_type` is always a service type some
/// loaded table defines, or `none`, never a client-chosen path segment.
public final class GatewayMetrics: Sendable {
    /// The registry behind `/metrics`; other parts of the gateway add their series to it.
    public let registry: PrometheusCollectorRegistry
    /// The `service_type` of requests that matched no service of a loaded table.
    public static let unknownService = "none"
    /// Seconds; fine at the low end for local upstreams, up to the default 300 s timeout.
    public static let latencyBuckets: [Double] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300,
    ]

    /// Every series lives in the `piapi` namespace.
    private static func piapiName(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "piapi", metricName: metric, unitName: unit, helpText: help)
    }

    static var requestsTotal: MetricNameDescriptor {
        piapiName(
            "requests", "total",
            "Requests answered, by service type and status class.")
    }
    static var requestLatency: MetricNameDescriptor {
        piapiName(
            "request_latency", "seconds",
            "Time from request head to the end of the response.")
    }
    static var upstreamTimeToFirstByte: MetricNameDescriptor {
        piapiName(
            "upstream_ttfb", "seconds",
            "Time from sending a request upstream to its response head.")
    }
    static var upstreamAttemptsTotal: MetricNameDescriptor {
        piapiName(
            "upstream_attempts", "total",
            "Tries at an upstream candidate, by service type, provider, key name and outcome.")
    }
    static var failoversTotal: MetricNameDescriptor {
        piapiName(
            "failovers", "total",
            "Requests that needed more than one try, by service type.")
    }
    static var candidateCooldownName: MetricNameDescriptor {
        piapiName(
            "candidate_cooldown", "seconds",
            "Seconds until a (provider, key name) pair is tried again; 0 when healthy.")
    }
    static var reloadsTotal: MetricNameDescriptor {
        piapiName(
            "config_reloads", "total",
            "Route table reloads, by result.")
    }
    static var inFlightName: MetricNameDescriptor {
        piapiName(
            "requests", "in_flight",
            "Requests being served now.")
    }
    static var tableInfoName: MetricNameDescriptor {
        piapiName(
            "route_table", "info",
            "The route table being served, by content hash (value 1).")
    }
    static var tableRoutesName: MetricNameDescriptor {
        piapiName(
            "route_table", "routes",
            "Number of (user, service type) routes in the table being served.")
    }

    private let inFlight: Gauge
    private let reloadSuccesses: Counter
    private let reloadFailures: Counter
    private let tableRoutes: Gauge
    private let unknownServiceSeries: ServiceSeries
    private let state: NIOLockedValueBox<State>

    private struct State: Sendable {
        var services: [String: ServiceSeries]
        var tableInfo: (hash: String, gauge: Gauge)?
        var attempts: [AttemptSeriesKey: Counter] = [:]
        var cooldowns: [CandidatePair: Gauge] = [:]
    }

    /// The labels of one `piapi_upstream_attempts_total` series.
    private struct AttemptSeriesKey: Hashable, Sendable {
        var serviceType: String
        var attempt: UpstreamAttempt
    }

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        inFlight = registry.makeGauge(descriptor: Self.inFlightName)
        reloadSuccesses = registry.makeCounter(descriptor: Self.reloadsTotal, labels: [("result", "success")])
        reloadFailures = registry.makeCounter(descriptor: Self.reloadsTotal, labels: [("result", "failure")])
        tableRoutes = registry.makeGauge(descriptor: Self.tableRoutesName)
        unknownServiceSeries = ServiceSeries(serviceType: Self.unknownService, registry: registry)
        state = NIOLockedValueBox(State(services: [:], tableInfo: nil))
    }

    public func requestStarted() {
        inFlight.increment()
    }

    /// Counts a finished request and its tries at upstreams (a failover if more than one).
    public func requestFinished(
        serviceType: String?, status: Int, latencySeconds: Double,
        attempts: [UpstreamAttempt] = []
    ) {
        inFlight.decrement()
        // One lock round per request: the service's series and the attempt counters together.
        let (series, attemptCounters) = state.withLockedValue { state in
            let series = serviceType.flatMap { state.services[$0] } ?? unknownServiceSeries
            return (series, attempts.map { attemptCounter(series.serviceType, $0, in: &state) })
        }
        series.requests(status: status).increment()
        series.latency.record(latencySeconds)
        for counter in attemptCounters { counter.increment() }
        if attempts.count > 1 { series.failovers.increment() }
    }

    /// The `piapi_upstream_attempts_total` counter of one try, created on first use; labels
    /// are table names only, so their number is bounded by the config.
    private func attemptCounter(_ serviceType: String, _ attempt: UpstreamAttempt, in state: inout State) -> Counter {
        let key = AttemptSeriesKey(serviceType: serviceType, attempt: attempt)
        if let counter = state.attempts[key] { return counter }
        let counter = registry.makeCounter(
            descriptor: Self.upstreamAttemptsTotal,
            labels: [
                ("service_type", serviceType), ("provider", attempt.provider), ("key", attempt.key),
                ("outcome", attempt.outcome.rawValue),
            ])
        state.attempts[key] = counter
        return counter
    }

    /// Sets `piapi_candidate_cooldown_seconds` for exactly these pairs (the current table's),
    /// dropping the series of pairs no longer listed.
    public func publishCooldowns(_ cooldowns: [(pair: CandidatePair, seconds: Double)]) {
        let retired: [Gauge] = state.withLockedValue { state in
            var current: [CandidatePair: Gauge] = [:]
            for (pair, seconds) in cooldowns {
                let gauge =
                    state.cooldowns.removeValue(forKey: pair)
                    ?? registry.makeGauge(
                        descriptor: Self.candidateCooldownName,
                        labels: [("provider", pair.provider), ("key", pair.key)])
                gauge.set(to: seconds)
                current[pair] = gauge
            }
            defer { state.cooldowns = current }
            return Array(state.cooldowns.values)
        }
        for gauge in retired { registry.unregisterGauge(gauge) }
    }

    public func upstreamFirstByte(serviceType: String, seconds: Double) {
        series(for: serviceType).timeToFirstByte.record(seconds)
    }

    /// Publishes the table now being served and makes its service types valid label values.
    /// Service types of earlier tables stay valid, so label cardinality is bounded by config.
    public func tableInstalled(_ table: ServingTable) {
        var serviceTypes = Set(table.table.targets.map(\.serviceType))
        for user in table.table.users { serviceTypes.formUnion(user.routes.map(\.service)) }
        tableRoutes.set(to: Double(table.table.routeCount))
        let retired: Gauge? = state.withLockedValue { state in
            for serviceType in serviceTypes
            where state.services[serviceType] == nil && serviceType != Self.unknownService {
                state.services[serviceType] = ServiceSeries(serviceType: serviceType, registry: registry)
            }
            guard state.tableInfo?.hash != table.hash else { return nil }
            let gauge = registry.makeGauge(descriptor: Self.tableInfoName, labels: [("hash", table.hash)])
            gauge.set(to: 1)
            defer { state.tableInfo = (table.hash, gauge) }
            return state.tableInfo?.gauge
        }
        if let retired { registry.unregisterGauge(retired) }
    }

    public func reloadSucceeded() {
        reloadSuccesses.increment()
    }

    public func reloadFailed() {
        reloadFailures.increment()
    }

    /// The Prometheus text exposition of every series in `registry`.
    public func text() -> String {
        registry.emitToString()
    }

    private func series(for serviceType: String?) -> ServiceSeries {
        guard let serviceType else { return unknownServiceSeries }
        return state.withLockedValue { $0.services[serviceType] } ?? unknownServiceSeries
    }
}
