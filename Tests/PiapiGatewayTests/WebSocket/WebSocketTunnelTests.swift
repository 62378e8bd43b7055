import NIOCore
import NIOEmbedded
import RouteTable
import Testing

@testable import PiapiGateway

/// The tunnel pair on embedded channels: bytes pass untouched both ways, a side is read only
/// while its partner can take writes, and the session reports usage and its end.
@Suite struct WebSocketTunnelTests {
    /// Counts the reads a handler asks its channel for (autoRead is off in the gateway).
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    struct Tunnel {
        let client = EmbeddedChannel()
        let upstream = EmbeddedChannel()
        let clientReads = ReadCounter()
        let upstreamReads = ReadCounter()
        let telemetry = RecordingTelemetry()
        let session: WebSocketSession

        init(extensions: WebSocketExtensions = .none) throws {
            let serving = try ServingTable(table: try TableFixtures.table(services: ["codex"]), environment: [:])
            session = WebSocketSession(
                origin: .init(
                    requestID: "rid", path: "/piapi/codex/responses", user: "alice", serviceType: "codex",
                    provider: "p", keyName: "k", serving: serving, limitedUser: nil),
                extensions: extensions, telemetry: telemetry, limits: LimitStore(), idleTimeout: .seconds(300))
            try client.pipeline.syncOperations.addHandler(clientReads)
            try upstream.pipeline.syncOperations.addHandler(upstreamReads)
            let (clientSide, upstreamSide) = WebSocketTunnelHandler.pair(session)
            try client.pipeline.syncOperations.addHandler(clientSide)
            try upstream.pipeline.syncOperations.addHandler(upstreamSide)
            session.start(on: client.eventLoop)
            clientSide.start()
            upstreamSide.start()
        }
    }

    @Test func bytesPassBothWaysUntouched() throws {
        let tunnel = try Tunnel()
        try tunnel.client.writeInbound(ByteBuffer(bytes: [0x81, 0x82, 1, 2, 3, 4, 5, 6]))
        tunnel.client.pipeline.fireChannelReadComplete()
        #expect(
            try tunnel.upstream.readOutbound(as: ByteBuffer.self) == ByteBuffer(bytes: [0x81, 0x82, 1, 2, 3, 4, 5, 6]))
        try tunnel.upstream.writeInbound(ByteBuffer(string: "\u{81}\u{2}hi"))
        tunnel.upstream.pipeline.fireChannelReadComplete()
        #expect(try tunnel.client.readOutbound(as: ByteBuffer.self) == ByteBuffer(string: "\u{81}\u{2}hi"))
    }

    @Test func aSideIsReadOnlyWhileItsPartnerCanWrite() throws {
        let tunnel = try Tunnel()
        #expect(tunnel.clientReads.reads == 1)
        // The upstream stops taking writes: the client is not read again after this burst.
        tunnel.upstream.isWritable = false
        tunnel.upstream.pipeline.fireChannelWritabilityChanged()
        try tunnel.client.writeInbound(ByteBuffer(string: "flood"))
        tunnel.client.pipeline.fireChannelReadComplete()
        #expect(tunnel.clientReads.reads == 1)
        // It drains: the held-back read is asked for, once.
        tunnel.upstream.isWritable = true
        tunnel.upstream.pipeline.fireChannelWritabilityChanged()
        #expect(tunnel.clientReads.reads == 2)
        tunnel.upstream.pipeline.fireChannelWritabilityChanged()
        #expect(tunnel.clientReads.reads == 2)
        // The other direction is independent.
        tunnel.client.isWritable = false
        try tunnel.upstream.writeInbound(ByteBuffer(string: "x"))
        tunnel.upstream.pipeline.fireChannelReadComplete()
        #expect(tunnel.upstreamReads.reads == 1)
    }

    @Test func closingOneSideClosesTheOtherAndEndsTheSession() throws {
        let tunnel = try Tunnel()
        try tunnel.upstream.writeInbound(ByteBuffer(bytes: WebSocketFrames.frame(0x8, [0x03, 0xE8])))
        tunnel.upstream.pipeline.fireChannelReadComplete()
        _ = try tunnel.upstream.close().wait()
        #expect(!tunnel.client.isActive)
        #expect(
            try tunnel.client.readOutbound(as: ByteBuffer.self)
                == ByteBuffer(bytes: WebSocketFrames.frame(0x8, [0x03, 0xE8])))
    }

    /// Each final Responses event read from the server's frames is one response's usage.
    @Test func usageIsReadPerResponse() {
        var reader = WebSocketUsageReader(extensions: .none)
        let completed = { (input: Int, output: Int) in
            "{\"type\":\"response.completed\",\"response\":{\"model\":\"gpt-5\",\"usage\":{\"input_tokens\":\(input),"
                + "\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":\(output),"
                + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":\(input + output)}}}"
        }
        let stream =
            WebSocketFrames.text("{\"type\":\"response.created\"}") + WebSocketFrames.text(completed(10, 5))
            + WebSocketFrames.text("{\"type\":\"response.output_text.delta\",\"delta\":\"hi\"}")
            + WebSocketFrames.text(completed(7, 3))
        var reports: [UsageReport] = []
        reader.feed(ByteBuffer(bytes: stream)) { reports.append($0) }
        #expect(reports.map(\.input) == [10, 7])
        #expect(reports.map(\.output) == [5, 3])
        #expect(reports.allSatisfy { $0.model == "gpt-5" && !$0.partial })
        #expect(reader.unfinished() == nil)
    }
}
