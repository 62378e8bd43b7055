import RouteTable

/// One user's limits and how much of them this replica has used, for `/api/limits`.
public struct UserLimitsReport: Sendable, Equatable {
    public var user: String
    public var limits: UserLimits
    public var inFlight: Int
    public var lastMinute: Int
    public var spent: BudgetTotals

    public init(
        user: String, limits: UserLimits, inFlight: Int = 0, lastMinute: Int = 0, spent: BudgetTotals = BudgetTotals()
    ) {
        self.user = user
        self.limits = limits
        self.inFlight = inFlight
        self.lastMinute = lastMinute
        self.spent = spent
    }
}

/// Where `/api/limits` gets its numbers.
public protocol AdminLimitsSource: Sendable {
    /// Shown as `source` in the answer: `none` when the gateway enforces no limits.
    var limitsSourceName: String { get }
    /// Every user with at least one limit, in any order (the API sorts them by name).
    func limits() -> [UserLimitsReport]
}

/// No limits are known: `/api/limits` answers an empty list (tests of the API alone).
public struct NoLimitsSource: AdminLimitsSource {
    public init() {}
    public var limitsSourceName: String { "none" }
    public func limits() -> [UserLimitsReport] { [] }
}

/// The limits of the current table's users, with this replica's use from the `LimitStore`.
public struct LimitStoreSource: AdminLimitsSource {
    private let tables: TableStore
    private let store: LimitStore

    public init(tables: TableStore, store: LimitStore) {
        self.tables = tables
        self.store = store
    }

    public var limitsSourceName: String { "table" }

    public func limits() -> [UserLimitsReport] {
        tables.current.table.users.compactMap { user in
            let limits = user.limits
            guard limits != .unlimited else { return nil }
            var report = UserLimitsReport(user: user.name, limits: limits)
            if let use = store.usage(of: user.keyDigest) {
                report.inFlight = use.inFlight
                report.lastMinute = use.lastMinute
                report.spent = use.spent
            }
            return report
        }
    }
}
