import NIOCore
import NIOEmbedded
import Testing

@testable import PiapiGateway

/// The handler shell on an `EmbeddedChannel`: the machine's actions reach the channel.
@Suite struct ClientConnectionHandlerTests {
    static func connected() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(try EmbeddedClientHandler.make(on: channel.embeddedEventLoop))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9200)).wait()
        return channel
    }

    /// 10,000 pipelined requests in one read are all answered by the flat loop (answers once
    /// recursed a level per request; 50,000 crashed the process). 10,000 keeps a debug run
    /// short: the machine's own test takes 50,000, `ServePipeliningTests` over a socket too.
    @Test func tenThousandPipelinedRequestsInOneReadAreAllAnswered() throws {
        let channel = try Self.connected()
        let one = "GET /healthz HTTP/1.1\r\nhost: g\r\n\r\n"
        try channel.writeInbound(ByteBuffer(string: String(repeating: one, count: 10_000)))
        var answered = 0
        while let response = try channel.readOutbound(as: ByteBuffer.self) {
            if response.readableBytesView.starts(with: "HTTP/1.1 200 ".utf8) { answered += 1 }
        }
        #expect(answered == 10_000)
        #expect(channel.isActive)
        _ = try channel.finish()
    }

    @Test func aDrainClosesAnIdleConnection() throws {
        let channel = try Self.connected()
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(!channel.isActive)
    }

    @Test func aRequestDuringADrainIsAnsweredWithCloseThenTheConnectionCloses() throws {
        let channel = try Self.connected()
        try channel.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nhost: g\r\n\r\nGET /hea"))
        let first = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(!String(buffer: first).lowercased().contains("connection: close"))
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        #expect(channel.isActive)
        try channel.writeInbound(ByteBuffer(string: "lthz HTTP/1.1\r\nhost: g\r\n\r\n"))
        let second = try #require(try channel.readOutbound(as: ByteBuffer.self))
        #expect(String(buffer: second).lowercased().contains("connection: close"))
        channel.embeddedEventLoop.run()
        #expect(!channel.isActive)
    }
}
