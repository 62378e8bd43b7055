import NIOCore
import PiapiTestSupport
import Testing

@testable import PiapiGateway

@Suite struct HostileTrafficTests {
    private let auth = "authorization: Bearer \(GatewayHarness.aliceKey)\r\n"

    /// Sends `raw`, expects `status` with the JSON error shape, and (when `closes`) a closed connection.
    private func expectRejected(_ raw: String, status: Int, closes: Bool = true) async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(raw)
        let response = try await connection.readResponse()
        #expect(response.status == status)
        #expect(response.text.hasPrefix("{\"error\":{\"type\":"))
        #expect(response.header("x-request-id") != nil)
        if closes { try await connection.waitForClose() }
        #expect(stub.received.isEmpty)
        await connection.close()
        await gateway.stop()
        await stub.close()
    }

    @Test func oversizedHeadAnswers431() async throws {
        let big = "x-filler: " + String(repeating: "a", count: 33 * 1024) + "\r\n"
        try await expectRejected("GET /piapi/codex/x HTTP/1.1\r\n\(auth)\(big)\r\n", status: 431)
    }

    @Test func contentLengthWithTransferEncodingAnswers400() async throws {
        try await expectRejected(
            "POST /piapi/codex/x HTTP/1.1\r\n\(auth)content-length: 5\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            status: 400)
    }

    @Test func conflictingContentLengthsAnswer400() async throws {
        try await expectRejected(
            "POST /piapi/codex/x HTTP/1.1\r\n\(auth)content-length: 5\r\ncontent-length: 6\r\n\r\nhello!", status: 400)
    }

    @Test func invalidChunkedBodyAnswers400() async throws {
        try await expectRejected(
            "POST /piapi/codex/x HTTP/1.1\r\n\(auth)transfer-encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            status: 400)
    }

    @Test(arguments: [
        "/piapi/codex/../admin", "/piapi/codex/a/./b", "/piapi/codex/%2e%2e/x", "/piapi/codex/%2E./x",
        "/piapi/codex/a/..", "/piapi/codex/a%2fb", "/piapi/codex/.%2E",
        // Found by Fuzz/FuzzRequestHead: a `%` without two hex digits swallowed the `/` after it.
        "/piapi/codex/a%2/%2e%2e/x", "/piapi/codex/v1%/../x", "/piapi/codex/%%/%2E/x",
    ])
    func escapingPathsAnswer400(path: String) async throws {
        try await expectRejected("GET \(path) HTTP/1.1\r\n\(auth)\r\n", status: 400, closes: false)
    }

    @Test(arguments: ["x-bad: a\rb", "x-bad: a\u{0}b"])
    func controlCharactersInHeaderValuesAnswer400(header: String) async throws {
        try await expectRejected("GET /piapi/codex/x HTTP/1.1\r\n\(auth)\(header)\r\n\r\n", status: 400)
    }

    @Test func dotsInsideSegmentsAreFine() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await gateway.request("GET", "/piapi/codex/a.b/...//c.", key: GatewayHarness.aliceKey)
        #expect(response.status == 200)
        #expect(stub.received.first?.uri == "/v1/a.b/...//c.")
        await gateway.stop()
        await stub.close()
    }

    @Test func incompleteHeadIsClosedAfterTheHeaderTimeout() async throws {
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: 1)) {
            $0.headerTimeout = .milliseconds(200)
        }
        let connection = try await TestConnection(port: gateway.port)
        // On a slow machine the timeout may already have closed the connection: that is fine too.
        try? await connection.send("GET /healthz HTTP/1.1\r\nx-slow: ")
        try await connection.waitForClose()
        #expect(!connection.received("HTTP/1.1 200"))
        await gateway.stop()
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: 1)) {
            $0.keepAliveTimeout = .milliseconds(200)
        }
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send("GET /healthz HTTP/1.1\r\n\r\n")
        #expect(try await connection.readResponse().text == "ok")
        try await connection.waitForClose()
        await gateway.stop()
    }

    @Test func connectionsBeyondTheLimitAreClosedAtOnce() async throws {
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: 1)) {
            $0.maxConnections = 2
        }
        let first = try await TestConnection(port: gateway.port)
        let second = try await TestConnection(port: gateway.port)
        try await first.send("GET /healthz HTTP/1.1\r\n\r\n")
        #expect(try await first.readResponse().text == "ok")
        try await second.send("GET /healthz HTTP/1.1\r\n\r\n")
        #expect(try await second.readResponse().text == "ok")
        let third = try await TestConnection(port: gateway.port)
        try await third.waitForClose()
        #expect(gateway.server.openConnections == 2)
        try await first.send("GET /healthz HTTP/1.1\r\n\r\n")
        #expect(try await first.readResponse().text == "ok")
        for c in [first, second, third] { await c.close() }
        await gateway.stop()
    }
}
