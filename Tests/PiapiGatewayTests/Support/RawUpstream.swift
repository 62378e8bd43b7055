import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PiapiTestSupport

/// An upstream on 127.0.0.1 that answers with exactly the bytes a test gives it, for the
/// responses a well-behaved HTTP library never produces (loose framing, `103` heads, chunked
/// failure answers…). It reads each request head (requests without a body), records it as
/// text, writes the reply and, when the reply says so, closes the connection.
final class RawUpstream: Sendable {
    struct Reply: Sendable {
        var bytes: [UInt8]
        var close = false

        init(_ text: String, close: Bool = false) {
            bytes = Array(text.utf8)
            self.close = close
        }
    }

    typealias Responder = @Sendable (_ requestHead: String) -> Reply

    private let heads = NIOLockedValueBox<[String]>([])
    private let channel: any Channel
    let port: Int

    /// The request heads received so far, in order.
    var requests: [String] { heads.withLockedValue { $0 } }

    init(responder: @escaping Responder) async throws {
        let heads = self.heads
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(heads: heads, responder: responder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    /// Always sends `text`, then closes when `close` is set.
    convenience init(always text: String, close: Bool = false) async throws {
        try await self.init { _ in Reply(text, close: close) }
    }

    func close() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let heads: NIOLockedValueBox<[String]>
        let responder: Responder
        var buffered: [UInt8] = []

        init(heads: NIOLockedValueBox<[String]>, responder: @escaping Responder) {
            self.heads = heads
            self.responder = responder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            buffered.append(contentsOf: unwrapInboundIn(data).readableBytesView)
            while let at = TestConnection.find(Array("\r\n\r\n".utf8), in: buffered) {
                let head = String(decoding: buffered[..<(at + 4)], as: UTF8.self)
                buffered.removeFirst(at + 4)
                heads.withLockedValue { $0.append(head) }
                let reply = responder(head)
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: reply.bytes)), promise: nil)
                if reply.close {
                    context.close(promise: nil)
                    return
                }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
