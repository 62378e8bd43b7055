/// How an established session ended: the `close_reason` of its log line and the `outcome`
/// label of `piapi_websocket_sessions_total`. A small closed set, so labels stay bounded.
public enum WebSocketCloseReason: String, Sendable, CaseIterable {
    /// The client's connection closed first (after a close handshake or not).
    case clientClosed = "client_closed"
    /// The upstream's connection closed first.
    case upstreamClosed = "upstream_closed"
    /// No byte either way for `--idle-timeout`: the gateway closed both.
    case idleTimeout = "idle_timeout"
    /// The gateway was draining (SIGTERM) and closed the tunnel at `--drain-timeout`, or
    /// a side closed while it drained.
    case drain
    /// A socket error on either side.
    case error
}
