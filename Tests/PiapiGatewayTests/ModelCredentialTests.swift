import NIOCore
import PiapiTestSupport
import Testing

@testable import PiapiGateway

/// A response's `model` is upstream text: one that holds the injected credential (alice's
/// `Bearer sk-alpha`, in any case) is recorded as `<redacted>` — the model the log lines,
/// ledger, metrics and admin API all take — on the HTTP path and the WebSocket path alike.
@Suite struct ModelCredentialTests {
    static func usage(model: String) -> String {
        #"{"model":""# + model + #"","usage":{"input_tokens":10,"input_tokens_details":{"cached_tokens":0},"#
            + #""output_tokens":2,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":12}"#
    }

    static func httpModel(_ model: String) async throws -> String? {
        let body = Array(("{\"object\":\"response\"," + Self.usage(model: model).dropFirst() + "}").utf8)
        let stub = try await StubUpstream { _ in
            .respond(status: 200, headers: [("Content-Type", "application/json")], body: body)
        }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        #expect(try await gateway.request("GET", "/piapi/codex/x", key: GatewayHarness.aliceKey).status == 200)
        #expect(await eventually { !gateway.telemetry.records.isEmpty })
        let recorded = gateway.telemetry.records.first?.usage
        await gateway.stop()
        await stub.close()
        #expect(recorded?.input == 10)
        return recorded?.model
    }

    @Test func theHTTPRecordNeverNamesTheKey() async throws {
        #expect(try await Self.httpModel("gpt-SK-ALPHA-echo") == UsageReport.redactedModel)
        #expect(try await Self.httpModel("Bearer sk-alpha") == UsageReport.redactedModel)
        #expect(try await Self.httpModel("gpt-5") == "gpt-5")
    }

    @Test func theWebSocketRecordNeverNamesTheKey() async throws {
        let completed = #"{"type":"response.completed","response":"# + Self.usage(model: "gpt-sk-alpha-1") + "}}"
        let reply = {
            var reply = RawUpstream.Reply(WebSocketHandshakeTests.accepted + "\r\n")
            reply.bytes += WebSocketFrames.text(completed)
            return reply
        }()
        let upstream = try await RawUpstream { _ in reply }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: upstream.port))
        let client = try await TestConnection(port: gateway.port)
        try await client.send(
            "GET /piapi/codex/responses HTTP/1.1\r\nhost: gw\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n"
                + WebSocketHandshakeTests.upgrade.map { $0 + "\r\n" }.joined() + "\r\n")
        #expect(await eventually { !gateway.telemetry.webSocketResponses.isEmpty })
        let recorded = gateway.telemetry.webSocketResponses.first?.usage
        #expect(recorded?.input == 10)
        #expect(recorded?.model == UsageReport.redactedModel)
        await client.close()
        await gateway.stop()
        await upstream.close()
    }
}
