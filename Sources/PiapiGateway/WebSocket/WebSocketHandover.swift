import NIOCore

/// Turns a client connection and the upstream connection that answered its upgrade with
/// `101` into a tunnel: the HTTP handlers leave both pipelines, a `WebSocketTunnelHandler`
/// pair takes their place, and bytes either HTTP handler had already read past the heads go
/// on first. The upstream connection has left its pool already and is never returned to it.
enum WebSocketHandover {
    /// `clientHandler` (the HTTP handler of the client connection, at `client`) has written
    /// the `101`; `upstream` read it, with `upstreamEarly` the bytes after it.
    static func start(
        session: WebSocketSession, client: ChannelHandlerContext, clientHandler: any RemovableChannelHandler,
        clientEarly: ByteBuffer, upstream: UpstreamChannelHandler, upstreamEarly: ByteBuffer?
    ) {
        let clientChannel = client.channel
        // Counted open from here, so every way out below is also counted closed.
        session.start(on: clientChannel.eventLoop)
        guard let upstreamChannel = upstream.channel, upstreamChannel.isActive, clientChannel.isActive else {
            // One side went away with the 101: nothing to tunnel.
            upstream.abandon()
            clientChannel.close(promise: nil)
            session.closed(.upstream)
            session.closed(.client)
            return
        }
        let (clientSide, upstreamSide) = WebSocketTunnelHandler.pair(session)
        do {
            try clientChannel.pipeline.syncOperations.addHandler(clientSide)
            try upstreamChannel.pipeline.syncOperations.addHandler(upstreamSide)
        } catch {
            // Not on a live pair of channels (checked above): the session ends here all the same.
            clientChannel.close(promise: nil)
            upstreamChannel.close(promise: nil)
            session.closed(.client)
            session.closed(.upstream)
            return
        }
        clientChannel.pipeline.syncOperations.removeHandler(clientHandler, promise: nil)
        upstreamChannel.pipeline.syncOperations.removeHandler(upstream, promise: nil)
        session.closeTunnel = { [weak clientSide, weak upstreamSide] in
            clientSide?.close()
            upstreamSide?.close()
        }
        clientSide.deliverEarly(clientEarly)
        if let upstreamEarly { upstreamSide.deliverEarly(upstreamEarly) }
        clientChannel.flush()
        clientSide.start()
        upstreamSide.start()
    }
}

/// The HTTP handlers leave their pipelines when a tunnel takes over (`WebSocketHandover`).
extension ClientConnectionHandler: RemovableChannelHandler {}
extension UpstreamChannelHandler: RemovableChannelHandler {}
