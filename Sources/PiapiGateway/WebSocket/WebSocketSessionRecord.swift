/// Everything known about one WebSocket session when it ends, for its log line and metrics:
/// names and counts only, never a credential or a frame's content.
public struct WebSocketSessionRecord: Sendable {
    /// The request ID of the handshake; each response read from the tunnel is `<id>.<n>`.
    public var requestID: String
    public var path: String
    public var user: String
    public var serviceType: String
    public var upstreamProvider: String
    public var upstreamKey: String
    public var durationSeconds: Double
    /// Bytes client → upstream (frames, after the handshake).
    public var bytesIn: Int
    /// Bytes upstream → client (frames, after the `101`).
    public var bytesOut: Int
    public var closeReason: WebSocketCloseReason
    /// The status code of the upstream's close frame, when one was read.
    public var closeCode: UInt16?
    /// Responses whose final event was read (each also a ledger row of its own).
    public var responses: Int
    /// The usage of those responses summed (model: the last one's); nil when none had usage.
    public var usage: UsageReport?
    public var costUSD: Double?
    /// Why the last response whose usage could not be told was not counted (`too_large` for a
    /// message too large to read), so an uncounted response never passes unflagged.
    public var usageUnknown: UsageUnknownReason?
    /// Why the frame reader stopped reading usage, when it did (the tunnel went on regardless).
    public var usageError: String?
    public var tableHash: String
}
