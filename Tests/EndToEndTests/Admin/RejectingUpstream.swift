import NIOCore
import NIOPosix

/// An upstream that answers every request `401 Unauthorized` and closes: a revoked provider
/// key, which cools its (provider, key) pair down for 10 minutes, long enough for a browser
/// to see the countdown.
final class RejectingUpstream: Sendable {
    private let channel: any Channel
    let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    static func start() async throws -> RejectingUpstream {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Rejecter()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RejectingUpstream(channel: channel, port: channel.localAddress?.port ?? 0)
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Rejecter: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        private var received: [UInt8] = []

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += Array(buffer: unwrapInboundIn(data))
            guard received.count >= 4,
                received.indices.dropLast(3).contains(where: {
                    received[$0] == 13 && received[$0 + 1] == 10 && received[$0 + 2] == 13 && received[$0 + 3] == 10
                })
            else { return }
            let answer =
                "HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\ncontent-length: 27\r\nconnection: close\r\n\r\n{\"error\":\"key was revoked\"}"
            let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer))).whenComplete { _ in
                bound.value.close(promise: nil)
            }
        }
    }
}
