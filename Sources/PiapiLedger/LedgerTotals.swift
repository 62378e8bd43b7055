import Foundation

/// Each user's spend in the current UTC calendar day and month, read from the ledger, so
/// budgets survive a restart and, on a PostgreSQL ledger, are shared by replicas (§9).
public struct LedgerTotals: Sendable, Equatable {
    /// The windows the totals cover: from these instants up to the time of the load.
    public var dayStart: Date
    public var monthStart: Date
    /// Keyed by user name; users with no rows in the window are absent.
    public var day: [String: UsageTotal]
    public var month: [String: UsageTotal]

    public init(dayStart: Date, monthStart: Date, day: [String: UsageTotal], month: [String: UsageTotal]) {
        self.dayStart = dayStart
        self.monthStart = monthStart
        self.day = day
        self.month = month
    }

    /// Two grouped sums over the time index. The month's reads every row of the month so far,
    /// so its cost grows with the month's traffic (milliseconds for thousands of rows, about a
    /// second for millions on PostgreSQL); refresh intervals should allow for that.
    public static func load(from store: any LedgerStore, now: Date = Date()) async throws -> LedgerTotals {
        let dayStart = LedgerTime.startOfDay(now)
        let monthStart = LedgerTime.startOfMonth(now)
        let month = try await store.usageTotals(since: monthStart)
        let day = try await store.usageTotals(since: dayStart)
        return LedgerTotals(dayStart: dayStart, monthStart: monthStart, day: day, month: month)
    }
}
