import RouteTable
import Testing

@testable import PiapiGateway

/// Exact limit behaviour with a manual clock: no test here waits for real time.
@Suite struct LimitStoreTests {
    let alice = KeyDigest(ofKey: "alice")

    private func refusal(_ decision: LimitDecision) -> LimitRefusal? {
        if case .refused(let refusal) = decision { return refusal }
        return nil
    }

    @Test func theSixtyFirstRequestInAMinuteIsRefusedAndTheWindowSlides() {
        let clock = ManualClock()
        let store = LimitStore(clock: clock.failoverClock)
        let limits = UserLimits(requestsPerMinute: 60)
        for i in 0..<60 {
            #expect(refusal(store.admit(alice, limits: limits)) == nil, "request \(i + 1)")
            store.finish(alice, tokens: 0, usd: 0)
            clock.advance(seconds: 0.5)  // 60 requests over 30 s
        }
        let refused = refusal(store.admit(alice, limits: limits))
        #expect(refused?.kind == .requestsPerMinute)
        #expect(refused?.value == "60")
        // The first request was at t=0; it is now t=30: a slot frees at t=60.
        #expect(refused?.retryAfter == 30)
        #expect(refused?.message == "limit requestsPerMinute of 60 reached; retry after 30 s")
        // A refused request consumes nothing: at t=60 exactly one slot is free, not zero.
        clock.advance(seconds: 30.1)
        #expect(refusal(store.admit(alice, limits: limits)) == nil)
        #expect(refusal(store.admit(alice, limits: limits)) != nil)
        clock.advance(seconds: 0.5)
        #expect(refusal(store.admit(alice, limits: limits)) == nil)
    }

    @Test func aBurstAtTheEndOfAMinuteAndTheStartOfTheNextCannotDouble() {
        let clock = ManualClock()
        let store = LimitStore(clock: clock.failoverClock)
        let limits = UserLimits(requestsPerMinute: 10)
        clock.advance(seconds: 59)
        for _ in 0..<10 { #expect(refusal(store.admit(alice, limits: limits)) == nil) }
        clock.advance(seconds: 2)
        #expect(refusal(store.admit(alice, limits: limits))?.kind == .requestsPerMinute)
    }

    @Test func concurrencyCountsUntilTheRequestEnds() {
        let store = LimitStore(clock: ManualClock().failoverClock)
        let limits = UserLimits(concurrentRequests: 2)
        #expect(refusal(store.admit(alice, limits: limits)) == nil)
        #expect(refusal(store.admit(alice, limits: limits)) == nil)
        let refused = refusal(store.admit(alice, limits: limits))
        #expect(refused?.kind == .concurrentRequests)
        #expect(refused?.retryAfter == 1)
        store.finish(alice, tokens: 0, usd: 0)
        #expect(refusal(store.admit(alice, limits: limits)) == nil)
    }

    @Test func aBudgetCrossedByOneLargeResponseRefusesTheNextUntilTheUTCDayTurns() throws {
        let clock = ManualClock()  // starts at 1_800_000_000 = 2027-01-15T08:00:00Z
        let store = LimitStore(clock: clock.failoverClock)
        let limits = UserLimits(tokensPerDay: 1_000)
        #expect(refusal(store.admit(alice, limits: limits)) == nil)
        store.finish(alice, tokens: 5_000, usd: 0)  // one response far over the budget
        let refused = try #require(refusal(store.admit(alice, limits: limits)))
        #expect(refused.kind == .tokensPerDay)
        #expect(refused.value == "1000")
        #expect(refused.retryAfter == 16 * 3600)  // until 2027-01-16T00:00:00Z
        #expect(refused.status.remaining == 0)
        clock.advance(seconds: 16 * 3600)
        #expect(refusal(store.admit(alice, limits: limits)) == nil)
    }

    @Test func monthBudgetsFollowTheUTCCalendarMonth() throws {
        let clock = ManualClock()
        let store = LimitStore(clock: clock.failoverClock)
        let limits = UserLimits(usdPerMonth: 200)
        #expect(refusal(store.admit(alice, limits: limits)) == nil)
        store.finish(alice, tokens: 10, usd: 200)
        let refused = try #require(refusal(store.admit(alice, limits: limits)))
        #expect(refused.kind == .usdPerMonth)
        // 2027-01-15T08:00Z → 2027-02-01T00:00Z is 16 days and 16 hours.
        #expect(refused.retryAfter == (16 * 24 + 16) * 3600)
        clock.advance(seconds: Double(refused.retryAfter))
        #expect(refusal(store.admit(alice, limits: limits)) == nil)
    }

    @Test func seededTotalsCountTowardsTheBudget() throws {
        let table = try RouteTable(targets: [], users: [UserRoutes(keyDigest: alice, name: "alice", routes: [])])
        let store = LimitStore(clock: ManualClock().failoverClock)
        store.seed(["alice": BudgetTotals(dayTokens: 999, monthTokens: 999)], asOf: ManualClock.wallStart, table: table)
        let limits = UserLimits(tokensPerDay: 1_000)
        guard case .admitted(let status) = store.admit(alice, limits: limits) else {
            Issue.record("expected admission")
            return
        }
        #expect(status?.kind == .tokensPerDay)
        #expect(status?.remaining == 1)
        store.finish(alice, tokens: 1, usd: 0)
        #expect(refusal(store.admit(alice, limits: limits))?.kind == .tokensPerDay)
    }

    @Test func seedingKeepsTheLargerOfTheLedgersAndTheReplicasOwnCount() throws {
        let table = try RouteTable(targets: [], users: [UserRoutes(keyDigest: alice, name: "alice", routes: [])])
        let clock = ManualClock()
        let store = LimitStore(clock: clock.failoverClock)
        let limits = UserLimits(tokensPerDay: 1_000)
        _ = store.admit(alice, limits: limits)
        store.finish(alice, tokens: 600, usd: 0)  // its ledger row is not written yet
        store.seed(["alice": BudgetTotals(dayTokens: 100, monthTokens: 100)], asOf: ManualClock.wallStart, table: table)
        #expect(store.usage(of: alice)?.spent.dayTokens == 600)
        store.seed(
            ["alice": BudgetTotals(dayTokens: 1_000, monthTokens: 1_000)], asOf: ManualClock.wallStart, table: table)
        #expect(refusal(store.admit(alice, limits: limits))?.kind == .tokensPerDay)
        // Totals read before midnight do not count for the new day.
        clock.advance(seconds: 16 * 3600)
        store.seed(
            ["alice": BudgetTotals(dayTokens: 5_000, monthTokens: 5_000)], asOf: ManualClock.wallStart, table: table)
        #expect(refusal(store.admit(alice, limits: limits)) == nil)
    }

    @Test func theTightestLimitIsReported() {
        let store = LimitStore(clock: ManualClock().failoverClock)
        let limits = UserLimits(requestsPerMinute: 100, concurrentRequests: 2, tokensPerDay: 1_000_000)
        guard case .admitted(let status) = store.admit(alice, limits: limits) else {
            Issue.record("expected admission")
            return
        }
        #expect(status == RateLimitStatus(kind: .concurrentRequests, limit: 2, remaining: 1, reset: 0))
    }

    @Test func aReloadKeepsCountersOnlyForKeysThatRemain() throws {
        let bob = KeyDigest(ofKey: "bob")
        let store = LimitStore(clock: ManualClock().failoverClock)
        let limits = UserLimits(concurrentRequests: 1)
        _ = store.admit(alice, limits: limits)
        _ = store.admit(bob, limits: limits)
        store.keep(
            usersOf: try RouteTable(targets: [], users: [UserRoutes(keyDigest: alice, name: "renamed", routes: [])]))
        #expect(refusal(store.admit(alice, limits: limits)) != nil)
        #expect(refusal(store.admit(bob, limits: limits)) == nil)
    }

    @Test func calendarArithmetic() {
        // 2024-02-29T12:00:00Z (leap day) → next month starts 2024-03-01.
        let leapNoon = 1_709_208_000.0
        #expect(UTCCalendar.nextMonthStart(leapNoon) == 1_709_251_200)
        #expect(UTCCalendar.nextDayStart(leapNoon) == 1_709_251_200)
        // 2026-12-31T23:59:59Z → 2027-01-01T00:00:00Z.
        #expect(UTCCalendar.nextMonthStart(1_798_761_599) == 1_798_761_600)
        #expect(UTCCalendar.monthStart(1_798_761_599) == 1_796_083_200)
        #expect(UTCCalendar.month(1_798_761_600) == UTCCalendar.month(1_798_761_599) + 1)
    }

    @Test func aLowerLimitAfterAReloadKeepsTheNewestAdmissions() {
        let clock = ManualClock()
        let store = LimitStore(clock: clock.failoverClock)
        for _ in 0..<10 {
            _ = store.admit(alice, limits: UserLimits(requestsPerMinute: 10))
            clock.advance(seconds: 1)
        }
        let refused = refusal(store.admit(alice, limits: UserLimits(requestsPerMinute: 5)))
        // The newest five were at t=5…9; the oldest of them leaves at t=65, now is t=10.
        #expect(refused?.retryAfter == 55)
        #expect(refusal(store.admit(alice, limits: UserLimits(requestsPerMinute: 20))) == nil)
    }
}
