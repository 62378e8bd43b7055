import Crypto
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import PiapiTestSupport

/// An in-process upstream on 127.0.0.1 (plain or TLS) that records what reached it and
/// answers as each test tells it to.
final class StubUpstream: Sendable {
    /// One request as the upstream saw it.
    struct Received: Sendable {
        var method: String
        var uri: String
        var headers: HTTPHeaders
        var bodySHA256: String
        var bodyCount: Int
        var body: [UInt8]
    }

    /// How the stub answers one request.
    enum Reply: Sendable {
        case respond(status: Int, headers: [(String, String)], body: [UInt8])
        /// Sends `first`, waits for `release` to complete, then sends `rest` and ends.
        case stream(first: String, release: EventLoopFuture<Void>, rest: [String])
        /// `count` deterministic bytes in 1 MiB writes.
        case large(count: Int)
        /// Reads the request and never answers.
        case silence
        /// Closes the connection without answering.
        case hangUp
        /// Sends a head announcing `declaredLength` body bytes, sends `body` (shorter), closes.
        case cutShort(status: Int, body: [UInt8], declaredLength: Int)
        /// Sends `100 Continue`, then the final response.
        case continueThen(status: Int, body: [UInt8])
    }

    typealias Responder = @Sendable (Received) -> Reply

    private let state = NIOLockedValueBox<(received: [Received], accepted: Int, closed: Int)>(([], 0, 0))
    private let channel: any Channel
    let port: Int

    var received: [Received] { state.withLockedValue { $0.received } }
    var acceptedConnections: Int { state.withLockedValue { $0.accepted } }
    var closedConnections: Int { state.withLockedValue { $0.closed } }

    init(tls: Bool = false, responder: @escaping Responder) async throws {
        let sslContext: NIOSSLContext? =
            tls
            ? try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: [
                        .certificate(
                            try NIOSSLCertificate(
                                bytes: Array(TestCertificates.serverCertificatePEM.utf8), format: .pem))
                    ],
                    privateKey: .privateKey(
                        try NIOSSLPrivateKey(bytes: Array(TestCertificates.serverKeyPEM.utf8), format: .pem)))) : nil
        let state = self.state
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                state.withLockedValue { $0.accepted += 1 }
                channel.closeFuture.whenComplete { _ in state.withLockedValue { $0.closed += 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(StubHandler(state: state, responder: responder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
    }

    func close() async {
        try? await channel.close()
    }

    /// A 127.0.0.1 port that refuses connections (`RefusedPort`).
    static func refusedPort() async throws -> Int {
        RefusedPort.port
    }

    /// The deterministic bytes `.large(count:)` sends: a block of a prime length (1 MiB pieces
    /// never line up with it, so pieces out of order would show) repeated with memcpy. The stub
    /// builds them on the event loop every in-process test shares; one closure call per byte
    /// took seconds there in a debug build, and every other test's connections stalled with it
    /// (a parallel run saw 3 s upstream timeouts pass and 10 s waits expire).
    static func largeBody(count: Int) -> [UInt8] {
        let block = (0..<65_521).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        while bytes.count < count { bytes.append(contentsOf: block.prefix(count - bytes.count)) }
        return bytes
    }

    /// Records each request, then plays the responder's reply.
    private final class StubHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let state: NIOLockedValueBox<(received: [Received], accepted: Int, closed: Int)>
        let responder: Responder
        var head: HTTPRequestHead?
        var hasher = SHA256()
        var count = 0
        var body: [UInt8] = []

        init(
            state: NIOLockedValueBox<(received: [Received], accepted: Int, closed: Int)>, responder: @escaping Responder
        ) {
            self.state = state
            self.responder = responder
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                hasher = SHA256()
                count = 0
                body = []
            case .body(let bytes):
                bytes.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                count += bytes.readableBytes
                if body.count < 1 << 16 { body.append(contentsOf: bytes.readableBytesView) }
            case .end:
                guard let head else { return }
                let digest = TestHex.encode(Array(hasher.finalize()))
                let received = Received(
                    method: "\(head.method)", uri: head.uri, headers: head.headers,
                    bodySHA256: digest, bodyCount: count, body: body)
                state.withLockedValue { $0.received.append(received) }
                reply(responder(received), context: context)
            }
        }

        private func reply(_ reply: Reply, context: ChannelHandlerContext) {
            switch reply {
            case .respond(let status, let headers, let body):
                var h = HTTPHeaders(headers)
                h.replaceOrAdd(name: "content-length", value: String(body.count))
                context.write(
                    wrapOutboundOut(
                        .head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: h))),
                    promise: nil)
                context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .stream(let first, let release, let rest):
                let h = HTTPHeaders([("content-type", "text/event-stream")])
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: h))), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: first)))), promise: nil)
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                release.hop(to: context.eventLoop).whenComplete { _ in
                    let (handler, context) = loopBound.value
                    for event in rest {
                        context.writeAndFlush(
                            handler.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: event)))), promise: nil)
                    }
                    context.writeAndFlush(handler.wrapOutboundOut(.end(nil)), promise: nil)
                }
            case .large(let count):
                let h = HTTPHeaders([("content-length", String(count))])
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: h))), promise: nil)
                let bytes = StubUpstream.largeBody(count: count)
                var offset = 0
                while offset < count {
                    let end = min(offset + (1 << 20), count)
                    context.writeAndFlush(
                        wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: bytes[offset..<end])))), promise: nil)
                    offset = end
                }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case .silence:
                break
            case .hangUp:
                context.close(promise: nil)
            case .continueThen(let status, let body):
                context.write(
                    wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .continue))), promise: nil)
                self.reply(.respond(status: status, headers: [], body: body), context: context)
            case .cutShort(let status, let body, let declaredLength):
                let h = HTTPHeaders([("content-length", String(declaredLength))])
                context.write(
                    wrapOutboundOut(
                        .head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: h))),
                    promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
                context.close(promise: nil)
            }
        }
    }
}
