import PiapiTestSupport
import Testing

/// A header value may hold HTAB and obs-text but no other control character: an upstream
/// may read VT, DEL or SOH differently from the gateway, so they never reach it.
@Suite struct HeaderControlCharacterTests {
    @Test(arguments: [0x01, 0x08, 0x0B, 0x0C, 0x1B, 0x1F, 0x7F] as [UInt8])
    func aControlCharacterInAValueAnswers400(byte: UInt8) async throws {
        let value = "a" + String(UnicodeScalar(byte)) + "b"
        try await expectRefused(
            "GET /piapi/codex/x HTTP/1.1\r\n\(aliceAuthorization)x-bad: \(value)\r\n\r\n", closes: true)
    }

    @Test func tabsAndObsTextAreForwarded() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await gateway.request(
            "GET", "/piapi/codex/x", key: GatewayHarness.aliceKey,
            headers: ["x-tab: a\tb", "x-obs: caf\u{E9}"])
        #expect(response.status == 200)
        #expect(stub.received.first?.headers["x-tab"] == ["a\tb"])
        #expect(stub.received.first?.headers["x-obs"] == ["caf\u{E9}"])
        await gateway.stop()
        await stub.close()
    }
}
