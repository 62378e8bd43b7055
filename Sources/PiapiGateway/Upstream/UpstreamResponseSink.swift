import NIOCore

/// Where an upstream connection delivers the response it reads: the client connection that
/// borrowed it. Everything is called on the shared event loop.
protocol UpstreamResponseSink: AnyObject {
    /// A 1xx head to pass on; the final head follows.
    func upstreamInformational(_ head: ResponseHead)
    func upstreamResponseHead(_ head: ResponseHead)
    func upstreamResponseBody(_ bytes: ByteBuffer)
    /// One read burst is over: the right moment to flush.
    func upstreamReadBurstEnded()
    /// The response is complete; the sink decides whether the connection goes back to the pool.
    func upstreamResponseEnded(_ connection: UpstreamChannelHandler, reusable: Bool)
    /// `connection` answered a WebSocket upgrade with `101` and left its pool: the sink takes
    /// its channel over (`early`: bytes read past the head).
    func upstreamUpgraded(_ head: ResponseHead, connection: UpstreamChannelHandler, early: ByteBuffer?)
    /// The connection failed before the response was complete.
    func upstreamFailed(_ failure: UpstreamFailure)
    func upstreamWritabilityChanged(isWritable: Bool)
    /// Whether the sink can take more response bytes now (the client is writable).
    var acceptsUpstreamBytes: Bool { get }
}
