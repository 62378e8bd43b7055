import PiapiTestSupport
import Testing

@testable import PiapiGateway

/// `Expect: 100-continue` (curl sends it for large bodies, then waits a second for an answer):
/// the gateway answers `100 Continue` itself once the request is admitted, and never forwards
/// the expectation.
@Suite struct ExpectContinueTests {
    @Test func anAdmittedRequestGets100ContinueBeforeItsBody() async throws {
        let stub = try await StubUpstream { received in
            .respond(status: 200, headers: [], body: Array(received.bodySHA256.utf8))
        }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "POST /piapi/codex/upload HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\nExpect: 100-Continue\r\ncontent-length: 5\r\n\r\n"
        )
        try await connection.waitFor(seconds: 5) { bytes, _ in
            TestConnection.find(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), in: bytes) != nil
        }
        try await connection.send("hello")
        try await connection.waitFor { bytes, _ in TestConnection.find(Array("HTTP/1.1 200".utf8), in: bytes) != nil }
        await connection.close()
        await gateway.stop()
        #expect(stub.received.count == 1)
        #expect(stub.received.first?.bodyCount == 5)
        #expect(stub.received.first?.headers["expect"].isEmpty == true)
        await stub.close()
    }

    @Test func aRefusedRequestGetsItsAnswerAndNo100() async throws {
        let stub = try await StubUpstream { _ in .respond(status: 200, headers: [], body: []) }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "POST /piapi/codex/upload HTTP/1.1\r\nauthorization: Bearer not-a-known-key\r\nExpect: 100-continue\r\ncontent-length: 5\r\n\r\n"
        )
        let response = try await connection.readResponse()
        #expect(response.status == 401)
        #expect(!connection.received("100 Continue"))
        await connection.close()
        await gateway.stop()
        #expect(stub.received.isEmpty)
        await stub.close()
    }

    @Test func aBodyAlreadySentOrAnHTTP10ClientGetsNo100() async throws {
        let stub = try await StubUpstream { _ in .respond(status: 200, headers: [], body: Array("ok".utf8)) }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        for version in ["HTTP/1.1", "HTTP/1.0"] {
            let body = version == "HTTP/1.1" ? "" : "hello"
            let length = version == "HTTP/1.1" ? 0 : 5
            let connection = try await TestConnection(port: gateway.port)
            try await connection.send(
                "POST /piapi/codex/upload \(version)\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\nExpect: 100-continue\r\ncontent-length: \(length)\r\nconnection: close\r\n\r\n\(body)"
            )
            let response = try await connection.readResponse()
            #expect(response.status == 200, "\(version)")
            #expect(!connection.received("100 Continue"), "\(version)")
            await connection.close()
        }
        await gateway.stop()
        await stub.close()
    }
}
