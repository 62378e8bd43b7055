import NIOCore
import NIOPosix
import PiapiTestSupport
import RouteTable
import Testing

@testable import PiapiGateway

/// HTTP/1.0 clients never receive chunked framing or 1xx responses (contract §6): a chunked
/// upstream answer reaches them de-chunked and delimited by the connection's close.
@Suite struct HTTP10ClientTests {
    private let request = "GET /piapi/codex/x HTTP/1.0\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n"

    /// Sends `raw` to a gateway in front of `port` (alice's route), reads one response and
    /// waits for the close; returns the response and the raw bytes received.
    private func exchange(upstreamPort: Int, _ raw: String) async throws -> (TestConnection.Response, String) {
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: upstreamPort))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(raw)
        try await connection.waitForClose()
        let raw = try await connection.bytesReceived(once: "\r\n\r\n")
        let response = try await connection.readResponse()
        await connection.close()
        await gateway.stop()
        return (response, raw)
    }

    /// Found by the review: RFC 9112 §6.1 makes such framing faulty; it was de-chunked and sent on.
    @Test func anHTTP10RequestWithTransferEncodingIsRefused() async throws {
        try await expectRefused(
            "POST /piapi/codex/x HTTP/1.0\r\n\(aliceAuthorization)transfer-encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n", closes: true)
    }

    @Test func theHeadForAnHTTP10ClientHasNoTransferEncodingOrLength() throws {
        let head = try #require(
            ResponseHead(
                parsing: ByteBuffer(
                    string: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 9\r\nx-a: 1\r\n\r\n"),
                requestWasHead: false))
        var out = ByteBuffer()
        head.write(to: &out, requestID: "r", closeClient: true, toHTTP10: true)
        #expect(String(buffer: out) == "HTTP/1.1 200 OK\r\nx-a: 1\r\nx-request-id: r\r\nconnection: close\r\n\r\n")
        var toHTTP11 = ByteBuffer()
        head.write(to: &toHTTP11, requestID: "r", closeClient: false, toHTTP10: false)
        #expect(
            String(buffer: toHTTP11)
                == "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nx-a: 1\r\nx-request-id: r\r\n\r\n")
    }

    @Test func onlyAChunkedBodyIsDechunkedAndOnlyForAnHTTP10Client() throws {
        func head(_ fields: String) throws -> ResponseHead {
            try #require(
                ResponseHead(parsing: ByteBuffer(string: "HTTP/1.1 200 OK\r\n\(fields)\r\n"), requestWasHead: false))
        }
        let chunked = try head("transfer-encoding: chunked\r\n")
        let length = try head("content-length: 3\r\n")
        let untilClose = try head("connection: close\r\n")
        #expect(chunked.isDechunked(toHTTP10: true) && chunked.endsWithClose(toHTTP10: true))
        #expect(!chunked.isDechunked(toHTTP10: false) && !chunked.endsWithClose(toHTTP10: false))
        #expect(!length.isDechunked(toHTTP10: true) && !length.endsWithClose(toHTTP10: true))
        #expect(!untilClose.isDechunked(toHTTP10: true) && untilClose.endsWithClose(toHTTP10: false))
    }

    @Test func aChunkedAnswerArrivesDechunkedAndEndsWithTheClose() async throws {
        let release = MultiThreadedEventLoopGroup.singleton.next().makeSucceededVoidFuture()
        let stub = try await StubUpstream { _ in
            .stream(first: "data: a\n\n", release: release, rest: ["data: b\n\n", "data: c\n\n"])
        }
        let (response, raw) = try await exchange(upstreamPort: stub.port, request + "\r\n")
        await stub.close()
        #expect(response.status == 200)
        #expect(response.header("transfer-encoding") == nil)
        #expect(response.header("content-length") == nil)
        #expect(response.header("connection") == "close")
        #expect(response.text == "data: a\n\ndata: b\n\ndata: c\n\n")
        #expect(raw.hasSuffix("\r\n\r\ndata: a\n\ndata: b\n\ndata: c\n\n"))
    }

    @Test func chunkExtensionsAndTrailersAreDropped() async throws {
        let upstream = try await RawUpstream(
            always: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nx-kept: 1\r\n\r\n"
                + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nx-trailer: t\r\n\r\n")
        // A 1.0 client asking for keep-alive still gets a close: it is what ends the body.
        let (response, raw) = try await exchange(
            upstreamPort: upstream.port, request + "connection: keep-alive\r\n\r\n")
        await upstream.close()
        #expect(response.header("transfer-encoding") == nil)
        #expect(response.header("x-kept") == "1")
        #expect(response.header("connection") == "close")
        #expect(response.text == "hello world")
        #expect(!raw.contains("x-trailer") && !raw.contains("ext=1"))
    }

    @Test func aContentLengthAnswerPassesAsIs() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let (response, _) = try await exchange(upstreamPort: stub.port, request + "\r\n")
        await stub.close()
        #expect(response.status == 200)
        #expect(response.header("content-length") == String("Bearer sk-alpha /v1/x".utf8.count))
        #expect(response.text == "Bearer sk-alpha /v1/x")
    }

    @Test func aHeadAnswerCarriesNoTransferEncoding() async throws {
        let upstream = try await RawUpstream(always: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: upstream.port))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "HEAD /piapi/codex/x HTTP/1.0\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n")
        let response = try await connection.readResponse(headRequest: true)
        #expect(response.status == 200)
        #expect(response.header("transfer-encoding") == nil)
        await connection.close()
        await gateway.stop()
        await upstream.close()
    }

    @Test func interimHeadsAreNotPassedOn() async throws {
        let upstream = try await RawUpstream(
            always: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a.css>; rel=preload\r\n\r\n"
                + "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ndone")
        let (response, raw) = try await exchange(upstreamPort: upstream.port, request + "\r\n")
        await upstream.close()
        #expect(response.status == 200)
        #expect(response.text == "done")
        #expect(!raw.contains(" 100 ") && !raw.contains(" 103 "))
    }

    @Test func aContinueBeforeAFailureStillLetsTheNextCandidateAnswer() async throws {
        // Nothing reached the 1.0 client, so the exchange is not committed to the first candidate.
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .continueThen(503))
        let gateway = try await GatewayHarness.start(table: fixture.table(.failover, [.init(), .init()]))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "GET /piapi/codex/x HTTP/1.0\r\nauthorization: Bearer \(FailoverFixture.daveKey)\r\n\r\n")
        let response = try await connection.readResponse()
        #expect(response.status == 200)
        #expect(response.text == "c1")
        await connection.close()
        await gateway.stop()
        await fixture.close()
        #expect(fixture.hits == [0, 1])
    }

    @Test func aCapturedChunkedFailureIsReplayedDechunked() async throws {
        let upstream = try await RawUpstream(
            always: "HTTP/1.1 503 Service Unavailable\r\ntransfer-encoding: chunked\r\n\r\n"
                + "5\r\nbusy!\r\n0\r\n\r\n")
        let refused = try await StubUpstream.refusedPort()
        let targets = [upstream.port, refused].enumerated().map { i, port in
            Target(
                provider: "p\(i)", keyName: "k\(i)", serviceType: "codex",
                upstream: Upstream(
                    scheme: .http, host: "127.0.0.1", port: UInt16(port), basePath: "/v1", baseQuery: ""),
                injection: Injection(
                    mode: .header, name: "Authorization", value: SecretTemplate(literal: "Bearer up-\(i)")))
        }
        let table = try RouteTable(
            targets: targets,
            users: [
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: GatewayHarness.aliceKey), name: "alice",
                    routes: [
                        Route(service: "codex", strategy: .failover, candidates: [.init(target: 0), .init(target: 1)])
                    ])
            ])
        let gateway = try await GatewayHarness.start(table: table)
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(request + "\r\n")
        try await connection.waitForClose()
        let response = try await connection.readResponse()
        #expect(response.status == 503)
        #expect(response.header("transfer-encoding") == nil)
        #expect(response.header("connection") == "close")
        #expect(response.text == "busy!")
        await connection.close()
        await gateway.stop()
        await upstream.close()
        #expect(gateway.telemetry.records.first?.attempts.map(\.outcome) == [.serverError, .connectError])
    }
}
