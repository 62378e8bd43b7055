/// What the proxy reports while it works. The gateway's real implementation turns these into
/// Prometheus metrics and the JSON request log; tests can record them instead.
public protocol Telemetry: Sendable {
    /// A request was accepted and is now in flight.
    func requestStarted()

    /// The upstream's response head arrived `seconds` after the request was sent.
    func upstreamFirstByte(serviceType: String, seconds: Double)

    /// A request ended (the in-flight count drops); writes the log line and request metrics.
    func requestFinished(_ record: RequestRecord)

    /// A request of `user` was refused with 429 by `limit` (before any upstream call).
    func limitRejected(user: String, limit: LimitKind)

    /// The Prometheus text exposition served on `/metrics`.
    func metricsText() -> String
}
