import RouteTable

/// One user's use of their limits on this replica, and the one decision over it: admit or
/// refuse a request. A pure value: every decision is a function of the limits, the counters
/// and the two clocks passed in, so tests drive it with made-up times.
///
/// Budgets are checked first (a user over budget is refused whatever else), then
/// concurrency, then the minute window. A refused request changes nothing.
struct UserLimitCounters: Sendable {
    private(set) var minute = MinuteWindow()
    private(set) var inFlight = 0
    private(set) var spent = BudgetTotals()
    /// The UTC day and month `spent` belongs to.
    private var day = Int.min
    private var month = Int.min

    /// `monotonic` drives the minute window (immune to wall-clock steps); `wall` (seconds
    /// since 1970) the calendar budgets.
    mutating func admit(_ limits: UserLimits, monotonic: Double, wall: Double) -> LimitDecision {
        roll(to: wall)
        var statuses: [RateLimitStatus] = []
        if let refusal = checkBudgets(limits, wall: wall, statuses: &statuses) { return .refused(refusal) }
        if let max = limits.concurrentRequests {
            let status = RateLimitStatus(
                kind: .concurrentRequests, limit: max, remaining: Swift.max(0, max - inFlight - 1),
                reset: 0)
            guard inFlight < max else {
                return .refused(
                    LimitRefusal(
                        kind: .concurrentRequests, value: String(max), retryAfter: 1,
                        status: RateLimitStatus(
                            kind: .concurrentRequests, limit: max, remaining: 0,
                            reset: 1)))
            }
            statuses.append(status)
        }
        if let perMinute = limits.requestsPerMinute {
            if let wait = minute.wait(limit: perMinute, at: monotonic) {
                let seconds = Self.wholeSeconds(wait)
                return .refused(
                    LimitRefusal(
                        kind: .requestsPerMinute, value: String(perMinute), retryAfter: seconds,
                        status: RateLimitStatus(
                            kind: .requestsPerMinute, limit: perMinute,
                            remaining: 0, reset: seconds)))
            }
            minute.admit(limit: perMinute, at: monotonic)
            statuses.append(
                RateLimitStatus(
                    kind: .requestsPerMinute, limit: perMinute,
                    remaining: perMinute - minute.count(at: monotonic),
                    reset: Self.wholeSeconds(minute.reset(at: monotonic))))
        }
        inFlight += 1
        return .admitted(statuses.min { $0.fractionLeft < $1.fractionLeft })
    }

    /// A request admitted earlier has ended; its tokens and cost count towards the budgets
    /// of the day and month it ended in.
    mutating func finish(tokens: Int, usd: Double, wall: Double) {
        inFlight = max(0, inFlight - 1)
        add(tokens: tokens, usd: usd, wall: wall)
    }

    mutating func add(tokens: Int, usd: Double, wall: Double) {
        roll(to: wall)
        spent.dayTokens += max(0, tokens)
        spent.monthTokens += max(0, tokens)
        spent.dayUSD += max(0, usd)
        spent.monthUSD += max(0, usd)
    }

    /// Takes the ledger's totals for the day and month holding `asOf` into the budgets: each
    /// figure becomes the larger of the ledger's and this replica's own count. The ledger has
    /// the other replicas' spend; this replica's count has its answers whose rows are still
    /// queued (or were dropped). Neither can exceed the true spend, so the larger is the best
    /// view. Totals of a day or month that has ended since `asOf` are ignored.
    mutating func seed(_ totals: BudgetTotals, asOf: Double, wall: Double) {
        roll(to: wall)
        if UTCCalendar.day(asOf) == day {
            spent.dayTokens = max(spent.dayTokens, totals.dayTokens)
            spent.dayUSD = max(spent.dayUSD, totals.dayUSD)
        }
        if UTCCalendar.month(asOf) == month {
            spent.monthTokens = max(spent.monthTokens, totals.monthTokens)
            spent.monthUSD = max(spent.monthUSD, totals.monthUSD)
        }
    }

    /// Starts a new day's or month's spend when the UTC calendar turned.
    private mutating func roll(to wall: Double) {
        let today = UTCCalendar.day(wall)
        if today != day {
            day = today
            spent.dayTokens = 0
            spent.dayUSD = 0
        }
        let thisMonth = UTCCalendar.month(wall)
        if thisMonth != month {
            month = thisMonth
            spent.monthTokens = 0
            spent.monthUSD = 0
        }
    }

    /// The first budget at or over its limit, as a refusal; otherwise appends each budget's status.
    private func checkBudgets(_ limits: UserLimits, wall: Double, statuses: inout [RateLimitStatus]) -> LimitRefusal? {
        let toDayEnd = Self.wholeSeconds(UTCCalendar.nextDayStart(wall) - wall)
        let toMonthEnd = Self.wholeSeconds(UTCCalendar.nextMonthStart(wall) - wall)
        let budgets: [(LimitKind, Double?, Double, Int)] = [
            (.tokensPerDay, limits.tokensPerDay.map(Double.init), Double(spent.dayTokens), toDayEnd),
            (.tokensPerMonth, limits.tokensPerMonth.map(Double.init), Double(spent.monthTokens), toMonthEnd),
            (.usdPerDay, limits.usdPerDay, spent.dayUSD, toDayEnd),
            (.usdPerMonth, limits.usdPerMonth, spent.monthUSD, toMonthEnd),
        ]
        for (kind, limit, used, reset) in budgets {
            guard let limit else { continue }
            let status = RateLimitStatus(
                kind: kind, limit: Int(limit.rounded(.up)),
                remaining: Int(max(0, limit - used).rounded(.down)), reset: reset)
            if used >= limit {
                return LimitRefusal(kind: kind, value: Self.text(limit), retryAfter: reset, status: status)
            }
            statuses.append(status)
        }
        return nil
    }

    /// Whole seconds, rounded up, at least 1: a client told 0 would retry at once. A
    /// millisecond of slack keeps clock arithmetic noise (30.000000001) from adding a second.
    static func wholeSeconds(_ seconds: Double) -> Int {
        max(1, Int((seconds - 0.001).rounded(.up)))
    }

    /// A limit as configured: `60`, or `200.5` for a fractional USD value.
    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}
