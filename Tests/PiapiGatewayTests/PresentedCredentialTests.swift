import PiapiTestSupport
import RouteTable
import Testing

@testable import PiapiGateway

/// Which user a request is charged to when it carries keys in both places, and the methods
/// the gateway refuses to forward.
@Suite struct PresentedCredentialTests {
    private let alice = "authorization: Bearer \(GatewayHarness.aliceKey)"

    /// Sends `headers` to alice's codex route and returns the answer and what the upstream saw.
    private func send(
        _ headers: [String], method: String = "GET",
        target: String = "/piapi/codex/x"
    ) async throws -> (TestConnection.Response, [StubUpstream.Received]) {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await gateway.request(method, target, headers: headers)
        let received = stub.received
        await gateway.stop()
        await stub.close()
        return (response, received)
    }

    @Test func twoAuthorizationHeadersAnswer400() async throws {
        let (response, received) = try await send([alice, "authorization: Bearer \(GatewayHarness.bobKey)"])
        #expect(response.status == 400)
        #expect(response.text.contains("\"type\":\"bad_request\""))
        #expect(received.isEmpty)
    }

    @Test func twoKnownKeysThatDifferAnswer400() async throws {
        let (response, received) = try await send([alice, "x-api-key: \(GatewayHarness.bobKey)"])
        #expect(response.status == 400)
        #expect(received.isEmpty)
        let (reversed, _) = try await send(["x-api-key: \(GatewayHarness.bobKey)", alice])
        #expect(reversed.status == 400)
    }

    @Test func anUnknownXAPIKeyBesideAKnownBearerKeyIsIgnoredAndNotForwarded() async throws {
        let (response, received) = try await send([alice, "x-api-key: sk-ant-personal-provider-key"])
        #expect(response.status == 200)
        #expect(received.count == 1)
        #expect(received.first?.headers["authorization"] == ["Bearer sk-alpha"])
        #expect(received.first?.headers["x-api-key"].isEmpty == true)
    }

    @Test func aKnownXAPIKeyBesideAnUnknownBearerKeyIsUsed() async throws {
        let (response, received) = try await send([
            "authorization: Bearer not-a-user", "x-api-key: \(GatewayHarness.bobKey)",
        ])
        #expect(response.status == 200)
        #expect(received.first?.headers["x-goog-api-key"] == ["sk-beta"])
        #expect(received.first?.headers["authorization"].isEmpty == true)
    }

    @Test func theSameKeyInBothPlacesIsFine() async throws {
        let (response, _) = try await send([alice, "x-api-key: \(GatewayHarness.aliceKey)"])
        #expect(response.status == 200)
    }

    @Test func twoDifferentXAPIKeyHeadersAnswer400() async throws {
        let (response, received) = try await send(["x-api-key: \(GatewayHarness.aliceKey)", "x-api-key: other"])
        #expect(response.status == 400)
        #expect(received.isEmpty)
    }

    @Test func traceIsRefusedWith405AndNotForwarded() async throws {
        let (response, received) = try await send([alice], method: "TRACE")
        #expect(response.status == 405)
        #expect(response.text.contains("\"type\":\"method_not_allowed\""))
        #expect(response.header("allow") != nil)
        #expect(received.isEmpty)
    }

    @Test func connectIsRefusedWith405AndNotForwarded() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        for target in ["127.0.0.1:\(stub.port)", "/piapi/codex/x"] {
            let connection = try await TestConnection(port: gateway.port)
            try await connection.send("CONNECT \(target) HTTP/1.1\r\nhost: \(target)\r\n\(alice)\r\n\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 405)
            #expect(response.text.contains("\"type\":\"method_not_allowed\""))
            await connection.close()
        }
        #expect(stub.received.isEmpty)
        await gateway.stop()
        await stub.close()
    }

    @Test func resolutionRules() {
        let a = KeyDigest(ofKey: "a")
        let b = KeyDigest(ofKey: "b")
        let stranger = KeyDigest(ofKey: "stranger")
        let users = [a: "alice", b: "bob"]
        func resolve(_ bearer: KeyDigest?, _ apiKey: KeyDigest?) -> String {
            switch PresentedUser.resolve(bearer: bearer, apiKey: apiKey, lookup: { users[$0] }) {
            case .known(let user): user
            case .unknown: "unknown"
            case .conflicting: "conflicting"
            }
        }
        #expect(resolve(a, nil) == "alice")
        #expect(resolve(nil, b) == "bob")
        #expect(resolve(a, b) == "conflicting")
        #expect(resolve(a, a) == "alice")
        #expect(resolve(a, stranger) == "alice")
        #expect(resolve(stranger, b) == "bob")
        #expect(resolve(stranger, stranger) == "unknown")
        #expect(resolve(nil, nil) == "unknown")
    }
}
