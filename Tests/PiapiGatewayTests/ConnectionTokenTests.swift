import PiapiTestSupport
import Testing

/// Headers named in `Connection` are hop-by-hop: dropped however many are listed (the list is
/// looked up by name, not compared with each header in turn).
@Suite struct ConnectionTokenTests {
    @Test func everyListedHeaderIsDroppedAndNoOther() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let listed = (0..<1000).map { "x-hop-\($0)" }
        // Listed in upper case, some twice, over two Connection headers; sent in lower case.
        let connection = [
            "connection: keep-alive, " + listed.map { $0.uppercased() }.joined(separator: ","),
            "connection: " + listed.prefix(50).joined(separator: ", "),
        ]
        let fields = listed.map { "\($0): 1" } + ["x-kept: yes", "x-hop: not listed", "x-hop-1000: not listed"]
        let response = try await gateway.request(
            "GET", "/piapi/codex/x", key: GatewayHarness.aliceKey,
            headers: connection + fields)
        #expect(response.status == 200)
        let headers = try #require(stub.received.first?.headers)
        #expect(headers["x-kept"] == ["yes"])
        #expect(headers["x-hop"] == ["not listed"])
        #expect(headers["x-hop-1000"] == ["not listed"])
        #expect(headers.filter { listed.contains($0.name.lowercased()) }.isEmpty)
        await gateway.stop()
        await stub.close()
    }
}
