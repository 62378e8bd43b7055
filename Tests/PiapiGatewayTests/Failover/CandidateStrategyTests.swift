import PiapiTestSupport
import RouteTable
import Testing

@testable import PiapiGateway

/// How each strategy spreads 400 requests over healthy candidates (contract §5), and how
/// `adaptive_rr` spreads them when one fails half its tries (§10).
@Suite struct CandidateStrategyTests {
    private func run(
        _ strategy: Route.Strategy, _ candidates: [FailoverFixture.Candidate],
        requests: Int = 400
    ) async throws -> (hits: [Int], fixture: FailoverFixture) {
        let fixture = try await FailoverFixture.start()
        let gateway = try await GatewayHarness.start(table: fixture.table(strategy, candidates))
        let statuses = try await gateway.codexRequests(requests)
        #expect(statuses.allSatisfy { $0 == 200 })
        await gateway.stop()
        await fixture.close()
        return (fixture.hits, fixture)
    }

    private func counts(_ hits: [Int], candidates: Int) -> [Int] {
        (0..<candidates).map { i in hits.filter { $0 == i }.count }
    }

    @Test func failoverSendsEverythingToTheFirstHealthyCandidate() async throws {
        let (hits, _) = try await run(.failover, [.init(), .init(), .init()])
        #expect(counts(hits, candidates: 3) == [400, 0, 0])
    }

    @Test func roundRobinRotatesOverEnabledCandidatesInOrder() async throws {
        let (hits, _) = try await run(.roundRobin, [.init(), .init(), .init(enabled: false), .init()])
        #expect(counts(hits, candidates: 4) == [134, 133, 0, 133])
        let enabled = [0, 1, 3]
        #expect(hits.enumerated().allSatisfy { $0.element == enabled[$0.offset % 3] })
    }

    @Test func weightedRoundRobinGivesExactlyThreeToOne() async throws {
        let (hits, _) = try await run(.weightedRoundRobin, [.init(weight: 3), .init(weight: 1)])
        #expect(counts(hits, candidates: 2) == [300, 100])
        // Smooth: every window of four requests holds exactly one for the weight-1 candidate.
        for start in stride(from: 0, to: 400, by: 4) {
            #expect(hits[start..<start + 4].filter { $0 == 1 }.count == 1)
        }
    }

    @Test func adaptiveRoundRobinWithoutFailuresGivesExactlyThreeToOneAsWeightedDoes() async throws {
        let (hits, _) = try await run(.adaptiveRoundRobin, [.init(weight: 3), .init(weight: 1)])
        #expect(counts(hits, candidates: 2) == [300, 100])
        let (weightedHits, _) = try await run(.weightedRoundRobin, [.init(weight: 3), .init(weight: 1)])
        #expect(hits == weightedHits)
    }

    @Test func adaptiveRoundRobinGivesACandidateFailingHalfItsTriesAThird() async throws {
        // c1 answers every other try with 429 Retry-After: 0 (a failure that cools nothing
        // down); each such request goes on to c0. The clock moves 0.5 s per request: 1,200
        // requests are 10 half-lives, the last 600 see c1's error rate at 0.5, its weight at
        // 1 × max(0.1, 0.5) and its share of first tries at 0.5 / 1.5.
        let clock = ManualClock()
        let fixture = try await FailoverFixture.start()
        let gateway = try await GatewayHarness.start(
            table: fixture.table(.adaptiveRoundRobin, [.init(), .init()]),
            clock: clock.failoverClock)
        let connection = try await TestConnection(port: gateway.port)
        let failing = FailoverFixture.Part.status(429, headers: [("retry-after", "0")])
        var triesOfOne = 0
        var firstHits: [Int] = []
        for _ in 0..<1_200 {
            clock.advance(seconds: 0.5)
            fixture.set(1, triesOfOne % 2 == 1 ? failing : .ok)
            let before = fixture.hits.count
            try await connection.send(
                "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(FailoverFixture.daveKey)\r\n\r\n")
            #expect(try await connection.readResponse().status == 200)
            let hits = fixture.hits.dropFirst(before)
            triesOfOne += hits.filter { $0 == 1 }.count
            firstHits.append(hits.first ?? -1)
        }
        await connection.close()
        let snapshot = gateway.server.candidates.snapshot(of: gateway.server.tables.current)
        await gateway.stop()
        await fixture.close()
        let share = Double(firstHits.suffix(600).filter { $0 == 1 }.count) / 600
        #expect(abs(share - 1.0 / 3) < 0.02, "share \(share)")
        let rate = try #require(snapshot.pair(CandidatePair(provider: "p1", key: "k1"))?.errorRate)
        #expect(abs(rate - 0.5) < 0.03)
        let weights = snapshot.route(user: "dave", service: "codex")?.candidates.map(\.effectiveWeight) ?? []
        #expect(weights.count == 2 && weights[0] == 1 && abs(weights[1] - 0.5) < 0.03)
    }

    @Test func stickyHealthyStaysWithTheFirstCandidateWhileItSucceeds() async throws {
        let (hits, _) = try await run(.stickyHealthy, [.init(), .init(), .init()])
        #expect(counts(hits, candidates: 3) == [400, 0, 0])
    }

    @Test func stickyHealthyMovesToTheCandidateThatSucceededAndStays() async throws {
        let clock = ManualClock()
        let fixture = try await FailoverFixture.start()
        let gateway = try await GatewayHarness.start(
            table: fixture.table(.stickyHealthy, [.init(), .init(), .init()]),
            clock: clock.failoverClock)
        fixture.set(0, .status(500))
        #expect(try await gateway.codexRequests(200).allSatisfy { $0 == 200 })
        fixture.set(0, .ok)
        clock.advance(seconds: 600)  // c0's cooldown is long over: it is healthy again
        #expect(try await gateway.codexRequests(200).allSatisfy { $0 == 200 })
        await gateway.stop()
        await fixture.close()
        let hits = fixture.hits
        #expect(hits.prefix(2) == [0, 1])
        #expect(hits.dropFirst(2).allSatisfy { $0 == 1 })
        #expect(hits.count == 401)
    }
}
