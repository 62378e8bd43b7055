import NIOCore

/// The first handler on the listening channel: every accepted connection passes it before the
/// quiescing helper sees it. One over `maxConnections` is closed here, before it has a pipeline,
/// and never counts toward a drain. One that is admitted is registered first, so the registry
/// hears of its close before the quiescing helper does: when the drain's promise completes,
/// `openConnections` is already 0.
final class ConnectionAdmissionHandler: ChannelInboundHandler {
    typealias InboundIn = any Channel

    private let connections: ConnectionRegistry

    init(connections: ConnectionRegistry) {
        self.connections = connections
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let accepted = unwrapInboundIn(data)
        guard connections.admit(accepted) else {
            accepted.close(promise: nil)
            return
        }
        context.fireChannelRead(data)
    }
}
