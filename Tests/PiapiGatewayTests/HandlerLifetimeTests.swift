import NIOCore
import NIOEmbedded
import RouteTable
import Testing

@testable import PiapiGateway

/// A closed connection must free its handler: a handler that keeps its
/// `ChannelHandlerContext` after removal forms a cycle with it, and every connection then
/// leaks the handler, its pipeline and its buffers (RSS grew with traffic in the soak run).
@Suite struct HandlerLifetimeTests {
    @Test func closedClientConnectionFreesItsHandler() throws {
        weak var released: ClientConnectionHandler?
        do {
            let channel = EmbeddedChannel()
            let handler = try EmbeddedClientHandler.make(on: channel.embeddedEventLoop)
            released = handler
            try channel.pipeline.syncOperations.addHandler(handler)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 9200)).wait()
            try channel.writeInbound(ByteBuffer(string: "GET /healthz HTTP/1.1\r\nhost: gateway\r\n\r\n"))
            let response = try #require(try channel.readOutbound(as: ByteBuffer.self))
            #expect(String(buffer: response).hasPrefix("HTTP/1.1 200"))
            _ = try channel.finish()
        }
        #expect(released == nil)
    }

    @Test func closedUpstreamConnectionFreesItsHandler() throws {
        weak var released: UpstreamChannelHandler?
        do {
            let channel = EmbeddedChannel()
            let upstream = Upstream(scheme: .http, host: "127.0.0.1", port: 1, basePath: "", baseQuery: "")
            let connection = UpstreamChannelHandler(origin: UpstreamOrigin(upstream))
            released = connection
            try channel.pipeline.syncOperations.addHandler(connection)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
            #expect(connection.isUsable)
            _ = try channel.finish()
            #expect(!connection.isUsable)
        }
        #expect(released == nil)
    }
}
