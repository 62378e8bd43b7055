import PiapiTestSupport
import Testing

/// Handshakes against an upstream that answers with exact bytes: what is carried up, what
/// comes back, and the `101`s the gateway must not turn into tunnels.
@Suite struct WebSocketHandshakeTests {
    static let upgrade = [
        "connection: Upgrade", "upgrade: websocket", "sec-websocket-version: 13",
        "sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==", "openai-beta: responses_websockets=2026-02-06",
    ]
    static let accepted =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"

    /// A 101 to a request that did not ask for an upgrade is an invalid answer, not a tunnel.
    @Test func unasked101IsInvalid() async throws {
        let upstream = try await RawUpstream(always: Self.accepted + "\r\n")
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: upstream.port))
        let response = try await gateway.request(
            "GET", "/piapi/codex/x", key: GatewayHarness.aliceKey,
            headers: ["connection: upgrade", "upgrade: h2c"])
        #expect(response.status == 502)
        #expect(!(upstream.requests.first ?? "").lowercased().contains("upgrade"))
        await gateway.stop()
        await upstream.close()
    }

    @Test func a101ToAnotherProtocolIsInvalid() async throws {
        let upstream = try await RawUpstream(
            always: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n")
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: upstream.port))
        let response = try await gateway.request(
            "GET", "/piapi/codex/x", key: GatewayHarness.aliceKey, headers: Self.upgrade)
        #expect(response.status == 502)
        await gateway.stop()
        await upstream.close()
    }

    /// The upstream gets the upgrade with the credential and the client's headers; the client
    /// gets the 101 without framing headers or the credential, and the bytes the upstream
    /// sent behind it (a 101 has no body: they are frames) go through as the tunnel's first.
    @Test func theHandshakeBothWaysAndBytesBehindThe101() async throws {
        let upstream = try await RawUpstream(
            always: Self.accepted + "Content-Length: 5\r\nX-Echo: Bearer sk-alpha\r\n\r\n\u{81}\u{02}hi")
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: upstream.port))
        let client = try await TestConnection(port: gateway.port)
        try await client.send(
            "GET /piapi/codex/responses HTTP/1.1\r\nhost: gw\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n"
                + Self.upgrade.map { $0 + "\r\n" }.joined() + "\r\n")
        try await client.waitFor { bytes, _ in
            TestConnection.find(Array("\r\n\r\n\u{81}\u{02}hi".utf8), in: bytes) != nil
        }
        let sent = (upstream.requests.first ?? "").lowercased()
        #expect(sent.hasPrefix("get /v1/responses http/1.1\r\n"))
        for line in [
            "authorization: bearer sk-alpha", "connection: upgrade", "upgrade: websocket", "sec-websocket-version: 13",
            "sec-websocket-key: dghlihnhbxbszsbub25jzq==", "openai-beta: responses_websockets=2026-02-06",
        ] {
            #expect(sent.contains(line + "\r\n"), "\(line)")
        }
        #expect(!sent.contains(GatewayHarness.aliceKey.lowercased()))
        #expect(client.received("HTTP/1.1 101 Switching Protocols\r\n"))
        #expect(client.received("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
        #expect(client.received("connection: upgrade\r\nupgrade: websocket\r\n\r\n"))
        #expect(!client.received("sk-alpha"))
        #expect(!client.received("Content-Length"))
        await client.close()
        #expect(await eventually { gateway.telemetry.records.contains { $0.status == 101 } })
        await gateway.stop()
        await upstream.close()
    }
}
