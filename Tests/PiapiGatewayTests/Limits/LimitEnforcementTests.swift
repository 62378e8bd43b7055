import NIOCore
import NIOPosix
import PiapiTestSupport
import RouteTable
import Testing

@testable import PiapiGateway

/// Limits enforced by a running gateway: refusals are 429s that never reach the upstream.
@Suite struct LimitEnforcementTests {
    /// The harness table with alice's limits set to `limits`.
    static func table(upstreamPort: Int, limits: UserLimits) throws -> RouteTable {
        let base = try GatewayHarness.table(upstreamPort: upstreamPort)
        let users = base.users.map {
            $0.name == "alice"
                ? UserRoutes(keyDigest: $0.keyDigest, name: $0.name, routes: $0.routes, limits: limits) : $0
        }
        return try RouteTable(targets: base.targets, users: users)
    }

    @Test func requestsOverTheMinuteLimitAre429WithRetryAfterAndNeverForwarded() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let clock = ManualClock()
        let gateway = try await GatewayHarness.start(
            table: Self.table(
                upstreamPort: stub.port,
                limits: UserLimits(requestsPerMinute: 2)),
            limits: LimitStore(clock: clock.failoverClock))
        for _ in 0..<2 {
            let ok = try await gateway.request("GET", "/piapi/codex/x", key: GatewayHarness.aliceKey)
            #expect(ok.status == 200)
        }
        clock.advance(seconds: 10)
        let refused = try await gateway.request("GET", "/piapi/codex/x", key: GatewayHarness.aliceKey)
        #expect(refused.status == 429)
        #expect(refused.text.contains("\"type\":\"rate_limited\""))
        #expect(refused.text.contains("requestsPerMinute of 2"))
        #expect(refused.header("retry-after") == "50")
        #expect(refused.header("ratelimit-limit") == "2")
        #expect(refused.header("ratelimit-remaining") == "0")
        #expect(refused.header("ratelimit-reset") == "50")
        #expect(stub.received.count == 2)
        #expect(gateway.telemetry.rejections == [.requestsPerMinute])
        let record = try #require(gateway.telemetry.records.last)
        #expect(record.status == 429 && record.user == "alice" && record.error == "rate limited: requestsPerMinute")
        // Another user is not affected; the window slides for alice.
        #expect(try await gateway.request("GET", "/piapi/codex/x", key: GatewayHarness.bobKey).status == 200)
        clock.advance(seconds: 50)
        #expect(try await gateway.request("GET", "/piapi/codex/x", key: GatewayHarness.aliceKey).status == 200)
        await gateway.stop()
        await stub.close()
    }

    @Test func aHeldStreamCountsAgainstConcurrencyUntilItEnds() async throws {
        let release = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let stub = try await StubUpstream { _ in
            .stream(first: "data: first\n\n", release: release.futureResult, rest: ["data: [DONE]\n\n"])
        }
        let gateway = try await GatewayHarness.start(
            table: Self.table(
                upstreamPort: stub.port,
                limits: UserLimits(concurrentRequests: 1)))
        let stream = try await TestConnection(port: gateway.port)
        try await stream.send(
            "GET /piapi/codex/stream HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n")
        try await stream.waitFor { bytes, _ in TestConnection.find(Array("data: first".utf8), in: bytes) != nil }
        let second = try await gateway.request("GET", "/piapi/codex/stream", key: GatewayHarness.aliceKey)
        #expect(second.status == 429)
        #expect(second.text.contains("concurrentRequests of 1"))
        release.succeed()
        #expect(try await stream.readResponse().status == 200)
        await stream.close()
        // The slot is free again once the stream ended.
        let end = ContinuousClock.now + .seconds(10)
        var status = 0
        repeat {
            status = try await gateway.request("GET", "/piapi/codex/x", key: GatewayHarness.aliceKey).status
        } while status == 429 && ContinuousClock.now < end
        #expect(status == 200)
        await gateway.stop()
        await stub.close()
    }

    @Test func anAbortedClientFreesItsSlot() async throws {
        let release = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let stub = try await StubUpstream { received in
            received.uri.hasSuffix("/stream")
                ? .stream(first: "data: first\n\n", release: release.futureResult, rest: ["data: [DONE]\n\n"])
                : echoResponder(received)
        }
        let gateway = try await GatewayHarness.start(
            table: Self.table(
                upstreamPort: stub.port,
                limits: UserLimits(concurrentRequests: 1)))
        let stream = try await TestConnection(port: gateway.port)
        try await stream.send(
            "GET /piapi/codex/stream HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n")
        try await stream.waitFor { bytes, _ in TestConnection.find(Array("data: first".utf8), in: bytes) != nil }
        #expect(try await gateway.request("GET", "/piapi/codex/x", key: GatewayHarness.aliceKey).status == 429)
        await stream.close()
        let end = ContinuousClock.now + .seconds(10)
        var status = 0
        repeat {
            status = try await gateway.request("GET", "/piapi/codex/x", key: GatewayHarness.aliceKey).status
            if status == 429 { try await Task.sleep(for: .milliseconds(20)) }
        } while status == 429 && ContinuousClock.now < end
        #expect(status == 200)
        release.succeed()
        await gateway.stop()
        await stub.close()
    }
}
