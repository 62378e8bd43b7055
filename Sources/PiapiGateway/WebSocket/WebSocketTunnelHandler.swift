import NIOCore

/// One half of a WebSocket tunnel, in the pipeline of the client or the upstream connection
/// in place of the HTTP handlers: what its channel reads goes to the partner's channel as it
/// is. Backpressure lives in one place, `readIfPartnerWritable`: the next read is asked for
/// only while the partner can take more writes, and a partner that becomes writable again
/// asks for the read that was held back. So a side that never reads stops the other from
/// being read, and the gateway holds at most one read burst per direction.
///
/// Both channels are on one event loop (the upstream pool is per loop), so the pair shares
/// state without locks, like swift-nio-examples' `GlueHandler` without its lock.
final class WebSocketTunnelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let side: WebSocketSession.Side
    private let session: WebSocketSession
    /// Cleared when either half leaves its pipeline, which breaks the pair's reference cycle.
    private var partner: WebSocketTunnelHandler?
    private var context: ChannelHandlerContext?
    /// A read was held back because the partner could not take more writes.
    private var pendingRead = false
    private var closed = false

    private init(side: WebSocketSession.Side, session: WebSocketSession) {
        self.side = side
        self.session = session
    }

    /// The client's half and the upstream's half, joined.
    static func pair(_ session: WebSocketSession) -> (client: WebSocketTunnelHandler, upstream: WebSocketTunnelHandler)
    {
        let client = WebSocketTunnelHandler(side: .client, session: session)
        let upstream = WebSocketTunnelHandler(side: .upstream, session: session)
        client.partner = upstream
        upstream.partner = client
        return (client, upstream)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    /// Bytes this side's peer sent before the tunnel existed (read by the HTTP handler):
    /// they go on to the partner first, as if just read.
    func deliverEarly(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0, let partner else { return }
        session.passed(bytes, from: side)
        partner.write(bytes)
        partner.flush()
    }

    /// Starts the reading the HTTP handler did on demand (autoRead is off).
    func start() {
        readIfPartnerWritable()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        session.passed(bytes, from: side)
        partner?.write(bytes)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.flush()
        session.burstEnded()
        readIfPartnerWritable()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.partnerBecameWritable() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // The drain closes the connection when its timeout ends; until then bytes flow.
            session.drainRequested()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        guard !closed else { return }
        closed = true
        // The session first, so this side (not the partner it closes) is the one that ended it.
        session.closed(side)
        partner?.closeAfterFlush()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        session.failed()
        context.close(promise: nil)
    }

    /// Closes this side at once (idle timeout, a failed handover).
    func close() {
        context?.close(promise: nil)
    }

    private func readIfPartnerWritable() {
        guard let context, !closed else { return }
        if partner?.isWritable ?? false {
            pendingRead = false
            context.read()
        } else {
            pendingRead = true
        }
    }

    private var isWritable: Bool { context?.channel.isWritable ?? false }

    private func write(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    private func flush() {
        context?.flush()
    }

    private func partnerBecameWritable() {
        if pendingRead { readIfPartnerWritable() }
    }

    /// The partner closed: what it sent last (a close frame) still goes out, then this side
    /// closes. A peer that never reads it keeps the write pending until the idle timeout.
    private func closeAfterFlush() {
        guard let context, !closed else { return }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: promise)
        promise.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
