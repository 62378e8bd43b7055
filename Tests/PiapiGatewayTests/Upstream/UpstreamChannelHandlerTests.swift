import NIOCore
import NIOEmbedded
import RouteTable
import Testing

@testable import PiapiGateway

/// The handler against a pipeline: what the sink hears and in what order, when the channel
/// is asked to read, and when it closes. The decisions are `UpstreamConnectionStateMachine`'s
/// (tested on their own); these check that the shell runs them and lets the sink's reactions
/// in between.
@Suite struct UpstreamChannelHandlerTests {
    /// Writes down what the connection tells it. Like the client side for an HTTP/1.0
    /// client, it can ask for a chunked body de-chunked from its head callback.
    final class RecordingSink: UpstreamResponseSink {
        var events: [String] = []
        var dechunk = false
        var accepts = true
        weak var connection: UpstreamChannelHandler?

        func upstreamInformational(_ head: ResponseHead) { events.append("informational \(head.status)") }

        func upstreamResponseHead(_ head: ResponseHead) {
            events.append("head \(head.status)")
            if dechunk { connection?.dechunkBody() }
        }

        func upstreamResponseBody(_ bytes: ByteBuffer) { events.append("body \(String(buffer: bytes))") }
        func upstreamReadBurstEnded() { events.append("burst ended") }

        func upstreamResponseEnded(_ connection: UpstreamChannelHandler, reusable: Bool) {
            events.append("ended reusable: \(reusable)")
        }

        func upstreamUpgraded(_ head: ResponseHead, connection: UpstreamChannelHandler, early: ByteBuffer?) {
            events.append("upgraded")
        }

        func upstreamFailed(_ failure: UpstreamFailure) { events.append("failed \(failure)") }
        func upstreamWritabilityChanged(isWritable: Bool) {}
        var acceptsUpstreamBytes: Bool { accepts }
    }

    /// Counts the reads the connection asks its channel for.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0

        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    struct Connected {
        let channel = EmbeddedChannel()
        let connection = UpstreamChannelHandler(
            origin: UpstreamOrigin(Upstream(scheme: .http, host: "127.0.0.1", port: 1, basePath: "", baseQuery: "")))
        let reads = ReadCounter()
        let sink = RecordingSink()

        init() throws {
            try channel.pipeline.syncOperations.addHandler(reads)
            try channel.pipeline.syncOperations.addHandler(connection)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            sink.connection = connection
        }

        /// One read burst: `writeInbound` ends it with `channelReadComplete`.
        func receive(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
        }
    }

    @Test func aChunkedBodyReadWithItsHeadReachesASinkThatAsksOnTheHeadDechunked() throws {
        let connected = try Connected()
        connected.sink.dechunk = true
        connected.connection.begin(sink: connected.sink, requestWasHead: false)
        connected.connection.write(ByteBuffer(string: "GET / HTTP/1.1\r\n\r\n"))
        connected.connection.flush()
        let request = try connected.channel.readOutbound(as: ByteBuffer.self)
        #expect(request.map { String(buffer: $0) } == "GET / HTTP/1.1\r\n\r\n")

        try connected.receive(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        #expect(
            connected.sink.events == ["head 200", "body hello", "body  world", "burst ended", "ended reusable: true"])
        #expect(connected.connection.isUsable)
        #expect(connected.connection.completedResponses == 1)
        _ = try connected.channel.finish()
    }

    @Test func bytesPastTheResponseCloseTheChannelAfterTheSinkHearsTheEnd() throws {
        let connected = try Connected()
        connected.connection.begin(sink: connected.sink, requestWasHead: false)
        try connected.receive("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1")
        #expect(
            connected.sink.events == [
                "informational 100", "head 200", "body ok", "burst ended", "ended reusable: false",
            ])
        #expect(!connected.channel.isActive)
        #expect(!connected.connection.isUsable)
    }

    @Test func aBodyIsReadOnlyAsFastAsTheSinkTakesIt() throws {
        let connected = try Connected()
        #expect(connected.reads.reads == 1)
        connected.connection.begin(sink: connected.sink, requestWasHead: false)
        #expect(connected.reads.reads == 2)
        try connected.receive("HTTP/1.1 200 OK\r\n")
        #expect(connected.reads.reads == 3)
        connected.sink.accepts = false
        try connected.receive("content-length: 4\r\n\r\nab")
        #expect(connected.reads.reads == 3)
        connected.sink.accepts = true
        connected.connection.read()
        try connected.receive("c")
        #expect(connected.reads.reads == 5)
        try connected.channel.close().wait()
        #expect(
            connected.sink.events == ["head 200", "body ab", "burst ended", "body c", "burst ended", "failed closed"])
    }
}
