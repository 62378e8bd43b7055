import Foundation
import NIOCore
import PiapiTestSupport
import RouteTable
import Testing

@testable import PiapiGateway

/// When a try fails and what the client gets (contract §5).
@Suite struct FailoverTests {
    enum Kind: String, CaseIterable, Sendable {
        case refused, resetBeforeHeaders, status500, status503, status429, status401, status403
    }

    private static func part(_ kind: Kind) -> FailoverFixture.Part {
        switch kind {
        case .refused: .refused
        case .resetBeforeHeaders: .hangUp
        case .status500: .status(500)
        case .status503: .status(503)
        case .status429: .status(429)
        case .status401: .status(401)
        case .status403: .status(403)
        }
    }

    private static func outcome(_ kind: Kind) -> AttemptOutcome {
        switch kind {
        case .refused: .connectError
        case .resetBeforeHeaders: .reset
        case .status500, .status503: .serverError
        case .status429: .rateLimited
        case .status401: .unauthorized
        case .status403: .forbidden
        }
    }

    private func start(
        _ fixture: FailoverFixture, refused: Set<Int> = [], count: Int = 2,
        configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> GatewayHarness {
        try await GatewayHarness.start(
            table: fixture.table(
                .failover, Array(repeating: .init(), count: count),
                refused: refused), configure: configure)
    }

    @Test(arguments: Kind.allCases)
    func failsOverToTheNextCandidate(kind: Kind) async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, Self.part(kind))
        let gateway = try await start(fixture, refused: kind == .refused ? [0] : [])
        let response = try await gateway.codex(method: "POST", body: "{\"prompt\":\"hi\"}")
        #expect(response.status == 200)
        #expect(response.text == "c1")
        await gateway.stop()
        await fixture.close()
        #expect(fixture.hits == (kind == .refused ? [1] : [0, 1]))
        // The replayed body reached the second candidate whole.
        #expect(fixture.stub.received.last?.body == Array("{\"prompt\":\"hi\"}".utf8))
        #expect(fixture.stub.received.last?.headers["authorization"] == ["Bearer \(FailoverFixture.secret(1))"])
        let record = try #require(gateway.telemetry.records.first)
        #expect(
            record.attempts == [
                UpstreamAttempt(provider: "p0", key: "k0", outcome: Self.outcome(kind)),
                UpstreamAttempt(provider: "p1", key: "k1", outcome: .ok),
            ])
        #expect(record.upstreamProvider == "p1")
    }

    @Test func timeoutBeforeHeadersFailsOver() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .silence)
        // Long enough that the second candidate answers in time on a starved test machine: at
        // 1 s a parallel run at load 8 once saw the second try time out too.
        let gateway = try await start(fixture) { $0.upstreamTimeout = .seconds(3) }
        let response = try await gateway.codex()
        #expect(response.status == 200)
        await gateway.stop()
        await fixture.close()
        #expect(gateway.telemetry.records.first?.attempts.map(\.outcome) == [.timeout, .ok])
    }

    @Test(arguments: [400, 404, 422])
    func otherClientErrorsAreAnswersNotFailures(status: Int) async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .status(status))
        let gateway = try await start(fixture)
        let response = try await gateway.codex()
        #expect(response.status == status)
        await gateway.stop()
        await fixture.close()
        #expect(fixture.hits == [0])
        #expect(gateway.telemetry.records.first?.attempts.map(\.outcome) == [.ok])
    }

    @Test func noRetryOnceTheResponseStarted() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .cutShort)
        let gateway = try await start(fixture)
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(FailoverFixture.daveKey)\r\n\r\n")
        try await connection.waitForClose()
        #expect(connection.received("partial"))
        await gateway.stop()
        await fixture.close()
        #expect(fixture.hits == [0])
    }

    @Test func noRetryOnceAnInterimResponseReachedTheClient() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .continueThen(503))
        let gateway = try await start(fixture)
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(FailoverFixture.daveKey)\r\n\r\n")
        #expect(try await connection.readResponse().status == 100)
        let response = try await connection.readResponse()
        #expect(response.status == 503)
        #expect(response.text == "after continue")
        await connection.close()
        await gateway.stop()
        await fixture.close()
        #expect(fixture.hits == [0])
    }

    @Test func aLongFailureBodyIsNotKeptButTheNextCandidateIsTried() async throws {
        let fixture = try await FailoverFixture.start()
        let long = String(repeating: "e", count: CapturedResponse.maxBodyBytes + 1)
        fixture.set(0, .status(500, body: long))
        let gateway = try await start(fixture)
        #expect(try await gateway.codex().status == 200)
        await gateway.stop()
        await fixture.close()
        #expect(fixture.hits == [0, 1])
    }

    @Test func aLongFailureBodyIsNotReturnedWhenNoLaterTryAnswers() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .status(500, body: String(repeating: "e", count: CapturedResponse.maxBodyBytes + 1)))
        let gateway = try await start(fixture, refused: [1])
        let response = try await gateway.codex()
        #expect(response.status == 502)
        #expect(response.text.contains("bad_gateway"))
        await gateway.stop()
        await fixture.close()
        #expect(gateway.telemetry.records.first?.attempts.map(\.outcome) == [.serverError, .connectError])
    }

    @Test func noRetryWhenTheBodyIsOverTheLimit() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .status(500, body: "first failed"))
        let gateway = try await start(fixture) { $0.retryBodyLimit = 16 }
        let response = try await gateway.codex(method: "POST", body: String(repeating: "x", count: 17))
        #expect(response.status == 500)
        #expect(response.text == "first failed")
        await gateway.stop()
        await fixture.close()
        #expect(fixture.hits == [0])
    }

    @Test func aBodyAtTheLimitIsReplayed() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .status(500))
        let gateway = try await start(fixture) { $0.retryBodyLimit = 16 }
        let body = String(repeating: "y", count: 16)
        #expect(try await gateway.codex(method: "POST", body: body).status == 200)
        await gateway.stop()
        await fixture.close()
        #expect(fixture.stub.received.map(\.body) == [Array(body.utf8), Array(body.utf8)])
    }

    @Test func aChunkedBodyIsReplayed() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .status(503))
        let gateway = try await start(fixture)
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "POST /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(FailoverFixture.daveKey)\r\n"
                + "transfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        let response = try await connection.readResponse()
        #expect(response.status == 200)
        await connection.close()
        await gateway.stop()
        await fixture.close()
        #expect(fixture.stub.received.map(\.body) == [Array("hello world".utf8), Array("hello world".utf8)])
    }

    @Test func eachCandidateIsTriedOnceAndTheLastResponseIsReturned() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .status(500, body: "first"))
        fixture.set(1, .status(503, headers: [("x-upstream", "second")], body: "second"))
        let gateway = try await start(fixture)
        let response = try await gateway.codex()
        #expect(response.status == 503)
        #expect(response.text == "second")
        #expect(response.header("x-upstream") == "second")
        #expect(response.header("x-request-id") != nil)
        await gateway.stop()
        await fixture.close()
        #expect(fixture.hits == [0, 1])
    }

    @Test func aResponseBeatsALaterConnectionError() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .status(429, body: "slow down"))
        let gateway = try await start(fixture, refused: [1])
        let response = try await gateway.codex()
        #expect(response.status == 429)
        #expect(response.text == "slow down")
        await gateway.stop()
        await fixture.close()
        #expect(gateway.telemetry.records.first?.attempts.map(\.outcome) == [.rateLimited, .connectError])
    }

    @Test func noResponseAtAllGives502() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(1, .hangUp)
        let gateway = try await start(fixture, refused: [0])
        let response = try await gateway.codex()
        #expect(response.status == 502)
        #expect(response.text.contains("bad_gateway"))
        await gateway.stop()
        await fixture.close()
    }

    @Test func onlyTimeoutsGive504() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .silence)
        fixture.set(1, .silence)
        let gateway = try await start(fixture) { $0.upstreamTimeout = .milliseconds(500) }
        let response = try await gateway.codex()
        #expect(response.status == 504)
        // Both were sent; on a busy machine the stub may record the second a little later.
        #expect(await eventually { fixture.hits == [0, 1] })
        await gateway.stop()
        await fixture.close()
    }

    @Test func aSingleCandidateRouteNeverRetries() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .status(500, body: "only"))
        let gateway = try await start(fixture, count: 1)
        for _ in 0..<3 {
            let response = try await gateway.codex()
            #expect(response.status == 500)
            #expect(response.text == "only")
        }
        await gateway.stop()
        await fixture.close()
        // No cooldown either: every request went to the one candidate.
        #expect(fixture.hits == [0, 0, 0])
    }
}
