import PiapiTestSupport
import Testing

/// Sends `raw` to a gateway routing alice's `codex` to a recording stub and expects it refused:
/// `status` with the JSON error shape, the connection closed when `closes`, and nothing at
/// the upstream.
func expectRefused(_ raw: String, status: Int = 400, closes: Bool) async throws {
    let stub = try await StubUpstream(responder: echoResponder)
    let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
    let connection = try await TestConnection(port: gateway.port)
    try await connection.send(raw)
    let response = try await connection.readResponse()
    #expect(response.status == status)
    #expect(response.text.hasPrefix("{\"error\":{\"type\":"))
    if closes { try await connection.waitForClose() }
    #expect(stub.received.isEmpty)
    await connection.close()
    await gateway.stop()
    await stub.close()
}

/// Alice's credential header line, for raw requests.
let aliceAuthorization = "authorization: Bearer \(GatewayHarness.aliceKey)\r\n"
