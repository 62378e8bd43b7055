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

    /// A WebSocket session of `serviceType` is established (its `101` went to the client).
    func webSocketOpened(serviceType: String)

    /// Bytes passed through a session's tunnel since the last report.
    func webSocketBytes(serviceType: String, fromClient: Int, fromUpstream: Int)

    /// A response read from a tunnel completed: its usage counts (metrics, ledger row, admin
    /// records) as an HTTP response's would; its session's log line comes at the end.
    func webSocketResponseCompleted(_ record: RequestRecord)

    /// A session ended: its log line and metrics.
    func webSocketClosed(_ record: WebSocketSessionRecord)
}
