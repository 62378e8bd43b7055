import Foundation
import Logging
import NIOPosix
import PiapiTestSupport
import RouteTable
import Testing

@testable import PiapiGateway

/// Cooling candidates are skipped, for as long as contract §5 says, across users and reloads.
@Suite struct CooldownTests {
    private struct Setup {
        let fixture: FailoverFixture
        let clock: ManualClock
        let gateway: GatewayHarness

        /// Sends one request and returns the candidates it reached.
        func hitsOfNextRequest(_ key: String = FailoverFixture.daveKey) async throws -> [Int] {
            let before = fixture.hits.count
            _ = try await gateway.codex(key)
            return Array(fixture.hits.dropFirst(before))
        }

        func stop() async {
            await gateway.stop()
            await fixture.close()
        }
    }

    private func setUp(candidates: Int = 2) async throws -> Setup {
        let fixture = try await FailoverFixture.start()
        let clock = ManualClock()
        let gateway = try await GatewayHarness.start(
            table: fixture.table(.failover, Array(repeating: .init(), count: candidates)), clock: clock.failoverClock)
        return Setup(fixture: fixture, clock: clock, gateway: gateway)
    }

    @Test func aServerErrorCoolsFiveSecondsThenDoubles() async throws {
        let setup = try await setUp()
        setup.fixture.set(0, .status(500))
        #expect(try await setup.hitsOfNextRequest() == [0, 1])
        #expect(try await setup.hitsOfNextRequest() == [1])  // skipped while cooling
        setup.clock.advance(seconds: 5.1)
        #expect(try await setup.hitsOfNextRequest() == [0, 1])  // tried again, fails again: now 10 s
        setup.clock.advance(seconds: 6)
        #expect(try await setup.hitsOfNextRequest() == [1])
        setup.clock.advance(seconds: 4.1)
        setup.fixture.set(0, .ok)
        #expect(try await setup.hitsOfNextRequest() == [0])  // a success clears the cooldown…
        setup.fixture.set(0, .status(502))
        #expect(try await setup.hitsOfNextRequest() == [0, 1])
        setup.clock.advance(seconds: 5.1)  // …and the backoff starts over at 5 s
        #expect(try await setup.hitsOfNextRequest() == [0, 1])
        await setup.stop()
    }

    /// Candidate 0 plays `part` (and keeps failing): it is skipped until one second before
    /// `seconds` have passed, and tried again one second after.
    private func expectCooldown(after part: FailoverFixture.Part, lasting seconds: Double) async throws {
        let setup = try await setUp()
        setup.fixture.set(0, part)
        #expect(try await setup.hitsOfNextRequest() == [0, 1])
        setup.clock.advance(seconds: seconds - 1)
        #expect(try await setup.hitsOfNextRequest() == [1])
        setup.clock.advance(seconds: 2)
        #expect(try await setup.hitsOfNextRequest() == [0, 1])
        await setup.stop()
    }

    @Test(arguments: [401, 403])
    func aRejectedKeyCoolsTenMinutes(status: Int) async throws {
        try await expectCooldown(after: .status(status), lasting: 600)
    }

    @Test func rateLimitedWithoutRetryAfterCoolsThirtySeconds() async throws {
        try await expectCooldown(after: .status(429), lasting: 30)
    }

    @Test func retryAfterInSeconds() async throws {
        try await expectCooldown(after: .status(429, headers: [("retry-after", "120")]), lasting: 120)
    }

    @Test func retryAfterAsAnHTTPDate() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let date = formatter.string(from: Date(timeIntervalSince1970: ManualClock.wallStart + 200))
        try await expectCooldown(after: .status(429, headers: [("retry-after", date)]), lasting: 200)
    }

    @Test func whenAllAreCoolingTheyAreTriedInTheOrderTheirCooldownsEnd() async throws {
        let setup = try await setUp(candidates: 3)
        setup.fixture.set(0, .status(401))  // 600 s
        setup.fixture.set(1, .status(429, headers: [("retry-after", "60")]))
        setup.fixture.set(2, .status(500))  // 5 s
        #expect(try await setup.hitsOfNextRequest() == [0, 1, 2])
        setup.fixture.set(2, .ok)
        // c2's cooldown ends first, then c1's, then c0's.
        #expect(try await setup.hitsOfNextRequest() == [2])
        setup.fixture.set(2, .status(500))
        // c2 is healthy again, so the cooling ones are skipped: the client gets c2's 500.
        #expect(try await setup.hitsOfNextRequest() == [2])
        // All cooling again (c2 for 5 s, before c1's 60 s): each is tried, soonest first.
        #expect(try await setup.hitsOfNextRequest() == [2, 1, 0])
        await setup.stop()
    }

    @Test func healthIsSharedByEveryUserOfThePair() async throws {
        let setup = try await setUp()
        setup.fixture.set(0, .status(401))
        #expect(try await setup.hitsOfNextRequest(FailoverFixture.daveKey) == [0, 1])
        #expect(try await setup.hitsOfNextRequest(FailoverFixture.erinKey) == [1])
        await setup.stop()
    }

    @Test func aReloadKeepsTheHealthOfPairsThatStillExist() async throws {
        let setup = try await setUp(candidates: 3)
        setup.fixture.set(0, .status(401))
        #expect(try await setup.hitsOfNextRequest() == [0, 1])
        // The new table changes weights and strategy but keeps the pairs.
        let next = try setup.fixture.table(.roundRobin, [.init(weight: 2), .init(), .init()])
        setup.gateway.server.tables.replace(with: try ServingTable(table: next, environment: [:]))
        let firstHits = try await setup.hitsOfNextRequest() + setup.hitsOfNextRequest() + setup.hitsOfNextRequest()
        #expect(!firstHits.contains(0))
        #expect(Set(firstHits) == [1, 2])
        await setup.stop()
    }

    @Test func aReloadThatChangesAPairsKeyClearsItsCooldown() async throws {
        let setup = try await setUp()
        setup.fixture.set(0, .status(401))
        #expect(try await setup.hitsOfNextRequest() == [0, 1])
        let next = try setup.fixture.table(.failover, [.init(), .init()], secrets: [0: "up-secret-fixed"])
        setup.gateway.server.tables.replace(with: try ServingTable(table: next, environment: [:]))
        setup.fixture.set(0, .ok)
        #expect(try await setup.hitsOfNextRequest() == [0])
        await setup.stop()
    }

    @Test func cooldownsAttemptsAndFailoversShowInMetricsAndTheLog() async throws {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .status(401))
        let clock = ManualClock()
        let tables = TableStore(
            try ServingTable(table: fixture.table(.failover, [.init(), .init()]), environment: [:]))
        let metrics = GatewayMetrics()
        metrics.tableInstalled(tables.current)
        let sink = RecordingLogSink()
        let candidates = CandidateRouter(tables: tables, clock: clock.failoverClock)
        let telemetry = GatewayTelemetry(
            metrics: metrics, requestLog: RequestLogWriter(sink: sink, logLevel: .info),
            tables: tables, candidates: candidates)
        var configuration = GatewayConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        // As in `GatewayHarness`: a parallel run can starve a test between its connect and its
        // first write past the default 10 s header timeout (a run saw "I/O on closed channel").
        configuration.headerTimeout = .seconds(120)
        let server = GatewayServer(
            configuration: configuration, tables: tables, telemetry: telemetry,
            group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "test"),
            candidates: candidates)
        let port = try await server.start().port ?? 0
        let raw = "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(FailoverFixture.daveKey)\r\n\r\n"
        #expect(try await TestConnection.request(port: port, raw).status == 200)
        clock.advance(seconds: 100)
        let text = try await TestConnection.request(port: port, "GET /metrics HTTP/1.1\r\n\r\n").text
        await server.drain(timeout: .seconds(1))
        await fixture.close()

        func value(_ name: String, _ labels: [String]) -> Double? {
            text.split(separator: "\n").first { line in
                line.hasPrefix(name + "{") && labels.allSatisfy { line.contains($0) }
            }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        #expect(value("piapi_candidate_cooldown_seconds", ["provider=\"p0\"", "key=\"k0\""]) == 500)
        #expect(value("piapi_candidate_cooldown_seconds", ["provider=\"p1\"", "key=\"k1\""]) == 0)
        #expect(
            value(
                "piapi_upstream_attempts_total",
                [
                    "service_type=\"codex\"", "provider=\"p0\"", "key=\"k0\"",
                    "outcome=\"unauthorized\"",
                ]) == 1)
        #expect(value("piapi_upstream_attempts_total", ["provider=\"p1\"", "outcome=\"ok\""]) == 1)
        #expect(value("piapi_failovers_total", ["service_type=\"codex\""]) == 1)

        let line = try #require(try sink.objects().first { $0["user"] as? String == "dave" })
        let attempts = try #require(line["attempts"] as? [[String: String]])
        #expect(
            attempts == [
                ["provider": "p0", "key": "k0", "outcome": "unauthorized"],
                ["provider": "p1", "key": "k1", "outcome": "ok"],
            ])
        let secrets = [FailoverFixture.daveKey, FailoverFixture.secret(0), FailoverFixture.secret(1)]
        for secret in secrets {
            #expect(!text.contains(secret))
            #expect(!sink.text.contains { $0.contains(secret) })
        }
    }
}
