import NIOCore
import RouteTable
import Testing

@testable import PiapiGateway

/// The pure parts of failover: outcome classification, cooldown lengths, `Retry-After`
/// parsing and the rotation orders.
@Suite struct FailoverPolicyTests {
    @Test func statusesThatFail() {
        #expect([500, 502, 503, 599, 429, 401, 403].allSatisfy { AttemptOutcome(status: $0).isFailure })
        #expect([200, 204, 301, 400, 404, 409, 422].allSatisfy { !AttemptOutcome(status: $0).isFailure })
    }

    @Test func transientCooldownDoublesUpToFiveMinutes() {
        let seconds = (1...10).map {
            CooldownPolicy.seconds(after: .serverError, retryAfter: nil, transientFailures: $0)
        }
        #expect(seconds == [5, 10, 20, 40, 80, 160, 300, 300, 300, 300])
        #expect(CooldownPolicy.seconds(after: .connectError, retryAfter: nil, transientFailures: 1_000) == 300)
        #expect(CooldownPolicy.seconds(after: .unauthorized, retryAfter: nil, transientFailures: 0) == 600)
        #expect(CooldownPolicy.seconds(after: .rateLimited, retryAfter: nil, transientFailures: 0) == 30)
        #expect(CooldownPolicy.seconds(after: .rateLimited, retryAfter: 7, transientFailures: 0) == 7)
        #expect(CooldownPolicy.seconds(after: .rateLimited, retryAfter: 1e12, transientFailures: 0) == 86_400)
    }

    @Test func aRejectedKeyEndsTheTransientStreak() {
        var health = CandidateHealth(failure: .serverError, retryAfter: nil, at: .uptimeNanoseconds(0))
        health.record(.serverError, retryAfter: nil, at: .uptimeNanoseconds(0))
        #expect(health.transientFailures == 2)
        health.record(.forbidden, retryAfter: nil, at: .uptimeNanoseconds(0))
        #expect(health.transientFailures == 0)
        #expect(health.secondsLeft(at: .uptimeNanoseconds(0)) == 600)
    }

    @Test func retryAfterSeconds() {
        #expect(RetryAfter.seconds("120", now: 0) == 120)
        #expect(RetryAfter.seconds("0", now: 0) == 0)
        #expect(RetryAfter.seconds("99999999999999999999", now: 0) == CooldownPolicy.retryAfterMaxSeconds)
    }

    @Test func onlyA429sRetryAfterIsACooldown() {
        func head(_ status: Int, _ fields: String) -> ResponseHead {
            ResponseHead(
                parsing: ByteBuffer(string: "HTTP/1.1 \(status) X\r\n\(fields)content-length: 0\r\n\r\n"),
                requestWasHead: false)!
        }
        #expect(RetryAfter.of(head(429, "retry-after: 12\r\n"), now: 0) == 12)
        #expect(RetryAfter.of(head(429, ""), now: 0) == nil)
        #expect(RetryAfter.of(head(429, "retry-after: soon\r\n"), now: 0) == nil)
        #expect(RetryAfter.of(head(503, "retry-after: 12\r\n"), now: 0) == nil)
    }

    @Test(arguments: ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"])
    func retryAfterDatesInAllThreeForms(value: String) {
        // 1994-11-06 08:49:37 UTC is 784111777.
        #expect(RetryAfter.httpDate(Substring(value)) == 784_111_777)
        #expect(RetryAfter.seconds(Substring(value), now: 784_111_777 - 90) == 90)
        #expect(RetryAfter.seconds(Substring(value), now: 784_111_777 + 90) == 0)
    }

    @Test(arguments: [
        "", "soon", "-5", "1.5", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994",
    ])
    func unusableRetryAfter(value: String) {
        #expect(RetryAfter.seconds(Substring(value), now: 0) == nil)
    }

    @Test func daysSinceEpoch() {
        #expect(RetryAfter.daysSinceEpoch(year: 1970, month: 1, day: 1) == 0)
        #expect(RetryAfter.daysSinceEpoch(year: 2000, month: 3, day: 1) == 11_017)
        #expect(RetryAfter.daysSinceEpoch(year: 2026, month: 11, day: 28) == 20_785)
    }

    private func route(_ strategy: Route.Strategy, weights: [UInt32]) -> Route {
        Route(
            service: "codex", strategy: strategy,
            candidates: weights.enumerated().map { .init(target: $0.offset, weight: $0.element) })
    }

    @Test func smoothWeightedRoundRobinInterleaves() {
        var rotation = RouteRotation(candidateCount: 3)
        let route = route(.weightedRoundRobin, weights: [5, 1, 1])
        let picks = (0..<7).map { _ in rotation.order(route, ready: [0, 1, 2])[0] }
        #expect(picks == [0, 0, 1, 0, 2, 0, 0])  // nginx's classic example: a a b a c a a
    }

    @Test func weightedRoundRobinSpreadsOverTheReadyOnes() {
        var rotation = RouteRotation(candidateCount: 3)
        let route = route(.weightedRoundRobin, weights: [3, 1, 1])
        let picks = (0..<8).map { _ in rotation.order(route, ready: [1, 2])[0] }
        #expect(picks.filter { $0 == 1 }.count == 4)
        #expect(!picks.contains(0))
    }

    @Test func ordersTryTheRestAfterTheFirstPick() {
        var rotation = RouteRotation(candidateCount: 4)
        let route = route(.roundRobin, weights: [1, 1, 1, 1])
        #expect(rotation.order(route, ready: [0, 1, 2, 3]) == [0, 1, 2, 3])
        #expect(rotation.order(route, ready: [0, 1, 2, 3]) == [1, 2, 3, 0])
        #expect(rotation.order(route, ready: [0, 2, 3]) == [2, 3, 0])  // turn 2
        #expect(rotation.order(route, ready: [0, 1, 2]) == [0, 1, 2])  // turn 3 is cooling: wrap
    }

    @Test func stickyKeepsTheLastSuccessfulCandidateFirst() {
        var rotation = RouteRotation(candidateCount: 3)
        let route = route(.stickyHealthy, weights: [1, 1, 1])
        #expect(rotation.order(route, ready: [0, 1, 2]) == [0, 1, 2])
        rotation.sticky = 2
        #expect(rotation.order(route, ready: [0, 1, 2]) == [2, 0, 1])
        #expect(rotation.order(route, ready: [0, 1]) == [0, 1])
    }
}
