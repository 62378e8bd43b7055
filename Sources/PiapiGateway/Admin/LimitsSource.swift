import RouteTable

/// One user's limits and how much of them this replica has used, for `/api/limits`.
public struct UserLimitsReport: Sendable, Equatable {
    public var user: String
    public var limits: UserLimits
    public var inFlight: Int
    public var lastMinute: Int
    public var spent: BudgetTotals

    public init(user: String, limits: UserLimits, inFlight: Int = 0, lastMinute: Int = 0, spent: BudgetTotals = BudgetTotals()) {
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

/// No limits are enforced: `/api/limits` answers an empty list. This is what piapi-serve
/// uses until the table carries each user's limits (`UserRoutes.limits`).
public struct NoLimitsSource: AdminLimitsSource {
    public init() {}
    public var limitsSourceName: String { "none" }
    public func limits() -> [UserLimitsReport] { [] }
}

/// The limits of the current table's users, as `limitsOf` reads them from a user (once the
/// table has them: `{ $0.limits }`), with this replica's use from the `LimitStore`.
public struct LimitStoreSource: AdminLimitsSource {
    private let tables: TableStore
    private let store: LimitStore
    private let limitsOf: @Sendable (UserRoutes) -> UserLimits

    public init(tables: TableStore, store: LimitStore, limitsOf: @escaping @Sendable (UserRoutes) -> UserLimits) {
        self.tables = tables
        self.store = store
        self.limitsOf = limitsOf
    }

    public var limitsSourceName: String { "table" }

    public func limits() -> [UserLimitsReport] {
        tables.current.table.users.compactMap { user in
            let limits = limitsOf(user)
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
