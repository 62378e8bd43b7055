import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An upstream on 127.0.0.1 that keeps the exact bytes it receives, for tests about what
/// reaches an upstream byte for byte (StubUpstream sees only what its HTTP parser made of
/// them). It answers `200 ok` once a chunked body has ended: when the bytes after the head end
/// with an empty line.
final class ByteRecordingUpstream: Sendable {
    private let bytes = NIOLockedValueBox<[UInt8]>([])
    private let channel: any Channel
    let port: Int

    /// Everything received so far, over all connections.
    var received: [UInt8] { bytes.withLockedValue { $0 } }

    /// What came after the first head, as text.
    var body: String {
        let all = received
        guard let end = Self.headEnd(all) else { return "" }
        return String(decoding: all[end...], as: UTF8.self)
    }

    init() async throws {
        let bytes = self.bytes
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Recorder(bytes: bytes))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func close() async {
        try? await channel.close()
    }

    private static let emptyLine = Array("\r\n\r\n".utf8)

    /// The offset just past the first `\r\n\r\n`.
    private static func headEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0...(b.count - 4) where Array(b[i..<(i + 4)]) == emptyLine { return i + 4 }
        return nil
    }

    private final class Recorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let bytes: NIOLockedValueBox<[UInt8]>
        var connectionBytes: [UInt8] = []

        init(bytes: NIOLockedValueBox<[UInt8]>) {
            self.bytes = bytes
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let chunk = Array(unwrapInboundIn(data).readableBytesView)
            bytes.withLockedValue { $0.append(contentsOf: chunk) }
            connectionBytes.append(contentsOf: chunk)
            guard let end = ByteRecordingUpstream.headEnd(connectionBytes), connectionBytes.count > end,
                connectionBytes.suffix(4).elementsEqual(ByteRecordingUpstream.emptyLine)
            else { return }
            connectionBytes = []
            context.writeAndFlush(
                wrapOutboundOut(ByteBuffer(string: "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")),
                promise: nil)
        }
    }
}
