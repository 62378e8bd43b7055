import Foundation
import NIOCore
import Testing

@testable import PiapiGateway

@Suite struct RoutingTests {
    @Test func concurrentUsersNeverSeeEachOthersRoutes() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let users = [
            (GatewayHarness.aliceKey, "Bearer sk-alpha /v1/r"), (GatewayHarness.bobKey, "sk-beta /v2/r?fixed=1"),
            (GatewayHarness.carolKey, "- /r?key=sk-gamma"),
        ]
        try await withThrowingTaskGroup(of: (Int, String, Int).self) { group in
            for i in 0..<200 {
                group.addTask {
                    let user = i % 3
                    let response = try await gateway.request("GET", "/piapi/codex/r", key: users[user].0)
                    return (user, response.text, response.status)
                }
            }
            var count = 0
            for try await (user, text, status) in group {
                #expect(status == 200)
                #expect(text == users[user].1)
                count += 1
            }
            #expect(count == 200)
        }
        #expect(stub.received.count == 200)
        await gateway.stop()
        await stub.close()
    }

    @Test func headerInjectionReplacesClientCredentials() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await gateway.request(
            "GET", "/piapi/codex/models", key: GatewayHarness.bobKey,
            headers: [
                "x-api-key: client-extra", "X-Goog-Api-Key: client-forged",
                "x-custom: kept", "Connection: keep-alive, x-drop-me",
                "x-drop-me: 1", "Proxy-Authorization: Basic abc",
            ])
        #expect(response.status == 200)
        let received = try #require(stub.received.first)
        #expect(received.headers["x-goog-api-key"] == ["sk-beta"])
        #expect(received.headers["authorization"].isEmpty)
        #expect(received.headers["x-api-key"].isEmpty)
        #expect(received.headers["x-drop-me"].isEmpty)
        #expect(received.headers["proxy-authorization"].isEmpty)
        #expect(received.headers["x-custom"] == ["kept"])
        #expect(received.headers["host"] == ["127.0.0.1:\(stub.port)"])
        #expect(received.headers["x-forwarded-for"] == ["127.0.0.1"])
        #expect(received.headers["x-forwarded-proto"] == ["http"])
        await gateway.stop()
        await stub.close()
    }

    @Test func queryInjectionCannotBeOverriddenByTheClient() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await gateway.request(
            "GET", "/piapi/codex/x?a=1&key=forged&%6Bey=forged2&b=%2F2",
            key: GatewayHarness.carolKey)
        #expect(response.status == 200)
        #expect(stub.received.first?.uri == "/x?a=1&b=%2F2&key=sk-gamma")
        await gateway.stop()
        await stub.close()
    }

    @Test(arguments: [
        // (user key, client target, upstream target)
        (GatewayHarness.aliceKey, "/piapi/codex", "/v1"),
        (GatewayHarness.aliceKey, "/piapi/codex/", "/v1/"),
        (GatewayHarness.aliceKey, "/piapi/codex/chat//completions?x=%20y", "/v1/chat//completions?x=%20y"),
        (GatewayHarness.bobKey, "/piapi/codex", "/v2?fixed=1"),
        (GatewayHarness.bobKey, "/piapi/codex/a?b=c", "/v2/a?fixed=1&b=c"),
        (GatewayHarness.carolKey, "/piapi/codex", "/?key=sk-gamma"),
        (GatewayHarness.carolKey, "/piapi/codex/", "/?key=sk-gamma"),
        (GatewayHarness.carolKey, "/piapi/chat/p", "/v1/p"),
    ])
    func pathAndQueryJoining(key: String, target: String, expected: String) async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await gateway.request("GET", target, key: key)
        #expect(response.status == 200)
        #expect(stub.received.first?.uri == expected)
        await gateway.stop()
        await stub.close()
    }

    @Test func errorsHaveTheJSONShapeAndARequestID() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let cases: [(String, String?, Int, String)] = [
            ("/piapi/codex/x", nil, 401, "unauthorized"),
            ("/piapi/codex/x", "wrong-key", 401, "unauthorized"),
            ("/piapi/chat/x", GatewayHarness.aliceKey, 404, "not_found"),
            ("/piapi/", GatewayHarness.aliceKey, 404, "not_found"),
            ("/piapi", GatewayHarness.aliceKey, 404, "not_found"),
            ("/elsewhere", GatewayHarness.aliceKey, 404, "not_found"),
        ]
        for (target, key, status, type) in cases {
            let response = try await gateway.request("GET", target, key: key)
            #expect(response.status == status, "\(target)")
            #expect(response.header("content-type") == "application/json")
            let requestID = try #require(response.header("x-request-id"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
            let error = try #require(json["error"] as? [String: Any])
            #expect(error["type"] as? String == type)
            #expect((error["message"] as? String)?.isEmpty == false)
            #expect(error["request_id"] as? String == requestID)
        }
        #expect(stub.received.isEmpty)
        await gateway.stop()
        await stub.close()
    }

    @Test func xAPIKeyAndCaseInsensitiveBearerAreAccepted() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let viaAPIKey = try await gateway.request(
            "GET", "/piapi/codex/a", headers: ["x-api-key: \(GatewayHarness.aliceKey)"])
        #expect(viaAPIKey.status == 200)
        let viaBearer = try await gateway.request(
            "GET", "/piapi/codex/a", headers: ["Authorization: bEaReR \(GatewayHarness.aliceKey)"])
        #expect(viaBearer.status == 200)
        await gateway.stop()
        await stub.close()
    }

    @Test func requestIDIsEchoedWhenValidAndGeneratedOtherwise() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let echoed = try await gateway.request(
            "GET", "/piapi/codex/a", key: GatewayHarness.aliceKey,
            headers: ["X-Request-ID: abc.DEF_1:2-3"])
        #expect(echoed.header("x-request-id") == "abc.DEF_1:2-3")
        #expect(stub.received.first?.headers["x-request-id"] == ["abc.DEF_1:2-3"])
        for bad in ["has space", String(repeating: "a", count: 129), "semi;colon"] {
            let response = try await gateway.request(
                "GET", "/piapi/codex/a", key: GatewayHarness.aliceKey,
                headers: ["X-Request-ID: \(bad)"])
            let id = try #require(response.header("x-request-id"))
            #expect(id != bad && !id.isEmpty)
        }
        let generated = try await gateway.request("GET", "/healthz")
        #expect(generated.header("x-request-id")?.isEmpty == false)
        #expect(generated.text == "ok")
        await gateway.stop()
        await stub.close()
    }

    @Test func metricsServeTelemetryText() async throws {
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: 1))
        let response = try await gateway.request("GET", "/metrics")
        #expect(response.status == 200)
        #expect(response.header("content-type") == "text/plain; version=0.0.4")
        #expect(response.text == "piapi_test_metric 1\n")
        await gateway.stop()
    }

    @Test func recordsCarryNamesButNoCredential() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        for key in [GatewayHarness.aliceKey, GatewayHarness.bobKey, GatewayHarness.carolKey] {
            _ = try await gateway.request("POST", "/piapi/codex/a?q=1", key: key, body: "{}")
        }
        _ = try await gateway.request("GET", "/piapi/codex/a", key: "unknown-secret-key")
        await gateway.stop()
        let records = gateway.telemetry.records
        #expect(records.count == 4)
        #expect(gateway.telemetry.started == 4)
        #expect(gateway.telemetry.firstBytes == 3)
        let alice = try #require(records.first { $0.user == "alice" })
        #expect(alice.serviceType == "codex")
        #expect(alice.upstreamProvider == "alpha")
        #expect(alice.upstreamKey == "alpha-main")
        #expect(alice.status == 200)
        #expect(alice.path == "/piapi/codex/a")
        #expect(alice.method == "POST")
        #expect(alice.bytesIn == 2)
        let secrets =
            GatewayHarness.upstreamSecrets + [
                GatewayHarness.aliceKey, GatewayHarness.bobKey,
                GatewayHarness.carolKey, "unknown-secret-key",
            ]
        for record in records {
            let text = "\(record)"
            for secret in secrets { #expect(!text.contains(secret)) }
        }
        await stub.close()
    }
}
