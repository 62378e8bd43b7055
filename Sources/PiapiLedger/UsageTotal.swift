/// What a user spent in a window, in the units budgets are set in (§9).
public struct UsageTotal: Sendable, Equatable {
    /// input + cache read + cache write + output; reasoning is part of output and is not
    /// added again.
    public var tokens: Int
    public var usd: Double

    public init(tokens: Int = 0, usd: Double = 0) {
        self.tokens = tokens
        self.usd = usd
    }

    /// One row's share, counted exactly as the ledger's totals count it, so a budget kept in
    /// memory between refreshes agrees with the ledger.
    public init(_ row: LedgerRow) {
        tokens =
            (row.inputTokens ?? 0) + (row.cacheReadTokens ?? 0) + (row.cacheWriteTokens ?? 0) + (row.outputTokens ?? 0)
        usd = row.costUSD ?? 0
    }

    public static func + (lhs: UsageTotal, rhs: UsageTotal) -> UsageTotal {
        UsageTotal(tokens: lhs.tokens + rhs.tokens, usd: lhs.usd + rhs.usd)
    }

    public static func += (lhs: inout UsageTotal, rhs: UsageTotal) {
        lhs = lhs + rhs
    }
}
