/// A user's spend in the current UTC day and month, as the ledger reports it: the starting
/// point of the budgets after a restart, and (with PostgreSQL) the replicas' shared view.
public struct BudgetTotals: Sendable, Equatable {
    public var dayTokens: Int
    public var dayUSD: Double
    public var monthTokens: Int
    public var monthUSD: Double

    public init(dayTokens: Int = 0, dayUSD: Double = 0, monthTokens: Int = 0, monthUSD: Double = 0) {
        self.dayTokens = dayTokens
        self.dayUSD = dayUSD
        self.monthTokens = monthTokens
        self.monthUSD = monthUSD
    }
}
