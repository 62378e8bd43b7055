/// What the proxy reports while it works; behind it sit the Prometheus metrics and the
/// JSON request log. (Skeleton: the observability work fills these in.)
public final class Telemetry: Sendable {
    public init() {}

    /// A request was accepted and is now in flight.
    public func requestStarted() {}

    /// The upstream's response head arrived `seconds` after the request was sent.
    public func upstreamFirstByte(serviceType: String, seconds: Double) {}

    /// A request ended (in flight count drops); writes the log line and the request metrics.
    public func requestFinished(_ record: RequestRecord) {}

    /// The Prometheus text exposition served on `/metrics`.
    public func metricsText() -> String { "" }
}
