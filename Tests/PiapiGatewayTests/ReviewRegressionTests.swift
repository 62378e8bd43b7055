import PiapiTestSupport
import RouteTable
import Testing

@testable import PiapiGateway

/// Findings of the hostile review of 2026-12-01 that were fixed after the security issue's
/// thirteen items: each test failed before its fix.
@Suite struct ReviewRegressionTests {
    @Test(arguments: ["trace", "Trace", "TRACK", "track"])
    func traceAndTrackInAnyCaseAre405(method: String) async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await gateway.request(method, "/piapi/codex/x", key: GatewayHarness.aliceKey)
        #expect(response.status == 405)
        #expect(stub.received.isEmpty)
        await gateway.stop()
        await stub.close()
    }

    @Test(arguments: [(GatewayHarness.aliceKey, "SK-ALPHA"), (GatewayHarness.carolKey, "SK-GAMMA")])
    func aCredentialEchoedInAnotherCaseIsDropped(key: String, echo: String) async throws {
        let stub = try await StubUpstream { _ in
            .respond(
                status: 200, headers: [("x-echo", "bearer \(echo)"), ("x-fine", "kept")],
                body: Array("body".utf8))
        }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await gateway.request("GET", "/piapi/codex/x", key: key)
        #expect(response.status == 200)
        #expect(response.header("x-echo") == nil)
        #expect(response.header("x-fine") == "kept")
        await gateway.stop()
        await stub.close()
    }

    @Test func anUpstreamThatSendsInformationalHeadsWithoutEndGets502() async throws {
        let flood = String(
            repeating: "HTTP/1.1 102 Processing\r\n\r\n",
            count: UpstreamConnectionStateMachine.maxInformationalHeads + 1)
        let upstream = try await RawUpstream(always: flood + "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: upstream.port))
        let response = try await Self.finalResponse(gateway)
        #expect(response.status == 502)
        await gateway.stop()
        await upstream.close()
    }

    @Test func aFewInformationalHeadsStillPass() async throws {
        let some = String(
            repeating: "HTTP/1.1 102 Processing\r\n\r\n",
            count: UpstreamConnectionStateMachine.maxInformationalHeads)
        let upstream = try await RawUpstream(always: some + "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: upstream.port))
        let response = try await Self.finalResponse(gateway)
        #expect(response.status == 200)
        #expect(response.text == "ok")
        await gateway.stop()
        await upstream.close()
    }

    /// Alice's request, reading past the informational heads passed on before the final one.
    static func finalResponse(_ gateway: GatewayHarness) async throws -> TestConnection.Response {
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n")
        var response = try await connection.readResponse()
        var informational = 0
        while response.status < 200 {
            informational += 1
            #expect(informational <= UpstreamConnectionStateMachine.maxInformationalHeads)
            response = try await connection.readResponse()
        }
        await connection.close()
        return response
    }

    @Test func piapiServesOwnSecretsAreNeverResolved() throws {
        let environment = ["PIAPI_ADMIN_TOKEN": "admin-token-0123456789", "PGPASSWORD": "pg-secret", "KEY": "sk-1"]
        for name in ["PIAPI_ADMIN_TOKEN", "PGPASSWORD"] {
            #expect(throws: UnresolvedVariable(name: name, problem: .reserved)) {
                try SecretTemplate(parts: [.literal("Bearer "), .variable(name)]).resolve { environment[$0] }
            }
        }
        #expect(try SecretTemplate(parts: [.variable("KEY")]).resolve { environment[$0] } == "sk-1")
    }

    @Test(arguments: [
        (" ", UnresolvedVariable.Problem.empty), ("\t ", .empty), ("sk-\tx", .controlCharacter),
        ("sk-\u{85}x", .controlCharacter),
    ])
    func blankAndC1ValuesAreRefused(value: String, problem: UnresolvedVariable.Problem) {
        #expect(throws: UnresolvedVariable(name: "KEY", problem: problem)) {
            try SecretTemplate(parts: [.variable("KEY")]).resolve { _ in value }
        }
    }
}

/// Found by the review: a client could pick a body encoding the usage tap cannot read.
@Suite struct AcceptEncodingFilterTests {
    @Test(arguments: [
        ("br, zstd", "identity"),
        ("gzip, deflate, br", "gzip, deflate"),
        ("br;q=1.0, gzip;q=0.5, *;q=0.1", "gzip;q=0.5"),
        ("identity", "identity"),
        ("GZIP", "GZIP"),
    ])
    func onlyReadableCodingsGoUpstream(sent: String, forwarded: String) async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await gateway.request(
            "GET", "/piapi/codex/x", key: GatewayHarness.aliceKey,
            headers: ["accept-encoding: \(sent)"])
        #expect(response.status == 200)
        #expect(stub.received.first?.headers["accept-encoding"] == [forwarded])
        await gateway.stop()
        await stub.close()
    }
}
