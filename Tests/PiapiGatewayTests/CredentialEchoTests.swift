import PiapiTestSupport
import Testing

@testable import PiapiGateway

/// The provider credential is never handed back (contract §6): a response header holding the
/// injected value is dropped, and for query-mode targets the injected item is removed from the
/// URLs in `Location`, `Content-Location` and `Link` — in final heads, 1xx heads and failure
/// responses replayed after failover.
@Suite struct CredentialEchoTests {
    /// One request with `key` (alice: header `Authorization: Bearer sk-alpha`; bob: header
    /// `x-goog-api-key: sk-beta`; carol: query `key=sk-gamma`) to a stub that answers `status`
    /// with `headers`; returns the response and whether `secret` appeared anywhere in the bytes.
    private func response(
        key: String, status: Int = 200, headers: [(String, String)],
        secret: String
    ) async throws -> (TestConnection.Response, leaked: Bool) {
        let stub = try await StubUpstream { _ in .respond(status: status, headers: headers, body: Array("body".utf8)) }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send("GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(key)\r\n\r\n")
        let leaked = try await connection.bytesReceived(once: "\r\n\r\nbody").contains(secret)
        let response = try await connection.readResponse()
        await connection.close()
        await gateway.stop()
        await stub.close()
        return (response, leaked)
    }

    /// One GET with `key` to a gateway in front of an upstream that answers `reply` byte for
    /// byte; `check` reads the client's side, then everything is stopped.
    private func askRawUpstream(
        _ reply: String, key: String, _ check: (TestConnection) async throws -> Void
    ) async throws {
        let upstream = try await RawUpstream(always: reply)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: upstream.port))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send("GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(key)\r\n\r\n")
        try await check(connection)
        await connection.close()
        await gateway.stop()
        await upstream.close()
    }

    @Test func headerModeEchoesAreDropped() async throws {
        let (response, leaked) = try await response(
            key: GatewayHarness.aliceKey,
            headers: [
                ("x-echo", "Bearer sk-alpha"), ("x-bare", "key was sk-alpha."), ("Authorization", "Bearer sk-alpha"),
                ("x-fine", "kept"), ("x-almost", "sk-alph"),
            ],
            secret: "sk-alpha")
        #expect(response.status == 200)
        #expect(!leaked)
        #expect(response.header("x-echo") == nil)
        #expect(response.header("x-bare") == nil)
        #expect(response.header("authorization") == nil)
        #expect(response.header("x-fine") == "kept")
        #expect(response.header("x-almost") == "sk-alph")
        #expect(response.text == "body")
    }

    @Test func aHeaderNamedLikeTheInjectedOneIsDroppedWhenItHoldsTheKey() async throws {
        let (response, leaked) = try await response(
            key: GatewayHarness.bobKey,
            headers: [("x-goog-api-key", "sk-beta"), ("x-other", "1")],
            secret: "sk-beta")
        #expect(!leaked)
        #expect(response.header("x-goog-api-key") == nil)
        #expect(response.header("x-other") == "1")
    }

    @Test(arguments: [
        // Starlette's redirect_slashes, Django's APPEND_SLASH: the redirect keeps the query.
        ("/v1/x?key=sk-gamma&a=1", "/v1/x?a=1"),
        ("/v1/x/?a=1&key=sk-gamma", "/v1/x/?a=1"),
        ("http://127.0.0.1:9/v1/x?a=1&key=sk-gamma&b=2#frag", "http://127.0.0.1:9/v1/x?a=1&b=2#frag"),
        ("/v1/x?key=sk-gamma", "/v1/x"),
        ("/v1/x?key=sk-gamma#top", "/v1/x#top"),
        // The item name is compared percent-decoded, as on the request side.
        ("/v1/x?k%65y=sk-gamma&a=1", "/v1/x?a=1"),
        ("/v1/x?a=1", "/v1/x?a=1"),
    ])
    func queryModeRedirectsLoseTheInjectedItem(location: String, expected: String) async throws {
        let (response, leaked) = try await response(
            key: GatewayHarness.carolKey, status: 307,
            headers: [("location", location), ("content-location", location)],
            secret: "sk-gamma")
        #expect(response.status == 307)
        #expect(!leaked)
        #expect(response.header("location") == expected)
        #expect(response.header("content-location") == expected)
    }

    @Test func queryModeLinkHeadersLoseTheInjectedItemInEveryURI() async throws {
        let link =
            "</v1/x?key=sk-gamma&page=2>; rel=\"next\", <http://h/v1/x?page=1&key=sk-gamma>; rel=\"prev\", </plain>; rel=\"up\""
        let (response, leaked) = try await response(
            key: GatewayHarness.carolKey, headers: [("link", link)], secret: "sk-gamma")
        #expect(!leaked)
        #expect(
            response.header("link")
                == "</v1/x?page=2>; rel=\"next\", <http://h/v1/x?page=1>; rel=\"prev\", </plain>; rel=\"up\"")
    }

    @Test func aURLHeaderThatStillHoldsTheKeyElsewhereIsDropped() async throws {
        let (response, leaked) = try await response(
            key: GatewayHarness.carolKey, status: 307,
            headers: [("location", "/v1/x?other=sk-gamma"), ("x-echo", "sk-gamma")],
            secret: "sk-gamma")
        #expect(response.status == 307)
        #expect(!leaked)
        #expect(response.header("location") == nil)
        #expect(response.header("x-echo") == nil)
    }

    @Test func aReasonPhraseHoldingTheKeyIsNotPassedOn() async throws {
        try await askRawUpstream(
            "HTTP/1.1 401 key Bearer sk-alpha is revoked\r\ncontent-length: 0\r\n\r\n",
            key: GatewayHarness.aliceKey
        ) { (connection: TestConnection) async throws in
            #expect(!(try await connection.bytesReceived(once: "\r\n\r\n").contains("sk-alpha")))
            #expect(try await connection.readResponse().status == 401)
        }
    }

    /// Found by the review: trailer fields and chunk extensions of a chunked answer reached the
    /// client verbatim, the key with them. A response's are now left out (sizes and payload kept)
    /// as the upstream connection reads them, so a failure held whole for failover is clean too.
    @Test(arguments: [200, 503])
    func trailersAndChunkExtensionsOfAResponseAreLeftOut(status: Int) async throws {
        try await askRawUpstream(
            "HTTP/1.1 \(status) X\r\ntransfer-encoding: chunked\r\n\r\n"
                + "3;k=sk-alpha\r\nabc\r\n2;note=\"Bearer sk-alpha\";x\r\nde\r\n"
                + "0;last=sk-alpha\r\nx-key: sk-alpha\r\nx-auth: Bearer sk-alpha\r\n\r\n",
            key: GatewayHarness.aliceKey
        ) { (connection: TestConnection) async throws in
            let response = try await connection.readResponse()
            #expect(response.status == status)
            #expect(response.text == "abcde")
            let raw = String(decoding: connection.receivedBytes, as: UTF8.self)
            #expect(raw.isEmpty)  // the whole answer was one response, read
        }
    }

    @Test func theBytesOfAChunkedAnswerKeepOnlySizesAndPayload() async throws {
        try await askRawUpstream(
            "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                + "3;k=sk-alpha\r\nabc\r\n0\r\nx-key: sk-alpha\r\n\r\n",
            key: GatewayHarness.aliceKey
        ) { (connection: TestConnection) async throws in
            let bytes = try await connection.bytesReceived(once: "0\r\n\r\n")
            #expect(!bytes.contains("sk-alpha"))
            #expect(bytes.hasSuffix("\r\n\r\n3\r\nabc\r\n0\r\n\r\n"))
        }
    }

    @Test func informationalHeadsAreCleanedToo() async throws {
        try await askRawUpstream(
            "HTTP/1.1 103 Early Hints\r\nlink: </s.css?key=sk-gamma>; rel=preload\r\n"
                + "x-echo: sk-gamma\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok",
            key: GatewayHarness.carolKey
        ) { (connection: TestConnection) async throws in
            #expect(!(try await connection.bytesReceived(once: "\r\n\r\nok").contains("sk-gamma")))
            let hints = try await connection.readResponse()
            #expect(hints.status == 103)
            #expect(hints.header("link") == "</s.css>; rel=preload")
            #expect(hints.header("x-echo") == nil)
            let final = try await connection.readResponse()
            #expect(final.status == 200)
            #expect(final.text == "ok")
        }
    }

    @Test func aFailureResponseReplayedAfterFailoverIsCleanedForItsOwnTarget() async throws {
        let fixture = try await FailoverFixture.start()
        // Candidate 0 answers 401 and echoes its key; candidate 1 (a different key) is unreachable,
        // so the client gets candidate 0's answer at the end.
        fixture.set(
            0,
            .status(
                401,
                headers: [
                    ("x-echo", "Bearer \(FailoverFixture.secret(0))"),
                    ("www-authenticate", "Bearer error=\"invalid_token\""),
                ], body: "no"))
        let gateway = try await GatewayHarness.start(table: fixture.table(.failover, [.init(), .init()], refused: [1]))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(FailoverFixture.daveKey)\r\n\r\n")
        #expect(!(try await connection.bytesReceived(once: "\r\n\r\nno").contains(FailoverFixture.secret(0))))
        let response = try await connection.readResponse()
        #expect(response.status == 401)
        #expect(response.text == "no")
        #expect(response.header("x-echo") == nil)
        #expect(response.header("www-authenticate") == "Bearer error=\"invalid_token\"")
        await connection.close()
        await gateway.stop()
        await fixture.close()
    }
}
