import RouteTable
import Testing

@testable import PiapiGateway

/// How each strategy spreads 400 requests over healthy candidates (contract §5).
@Suite struct CandidateStrategyTests {
    private func run(_ strategy: Route.Strategy, _ candidates: [FailoverFixture.Candidate],
                     requests: Int = 400) async throws -> (hits: [Int], fixture: FailoverFixture) {
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

    @Test func stickyHealthyStaysWithTheFirstCandidateWhileItSucceeds() async throws {
        let (hits, _) = try await run(.stickyHealthy, [.init(), .init(), .init()])
        #expect(counts(hits, candidates: 3) == [400, 0, 0])
    }

    @Test func stickyHealthyMovesToTheCandidateThatSucceededAndStays() async throws {
        let clock = ManualClock()
        let fixture = try await FailoverFixture.start()
        let gateway = try await GatewayHarness.start(table: fixture.table(.stickyHealthy, [.init(), .init(), .init()]),
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
