/// The result of `piapi-usage report`: one row per group, sorted by the group's values, and
/// their total. Built here rather than in the command so tests and other tools get exactly
/// what the command prints.
public struct UsageReport: Sendable, Equatable {
    public var query: UsageQuery
    /// Sorted by group values in `query.groupBy` order, a missing value first.
    public var rows: [UsageReportRow]
    /// All rows added up (its `group` is empty).
    public var total: UsageReportRow

    public init(query: UsageQuery, rows: [UsageReportRow]) {
        self.query = query
        self.rows = rows.sorted { Self.precedes($0.group, $1.group) }
        total = rows.reduce(UsageReportRow(group: [], requests: 0)) { $0.adding($1) }
    }

    public static func run(_ query: UsageQuery, on store: any LedgerStore) async throws -> UsageReport {
        UsageReport(query: query, rows: try await store.report(query))
    }

    private static func precedes(_ lhs: [String?], _ rhs: [String?]) -> Bool {
        for (left, right) in zip(lhs, rhs) where left != right {
            guard let left else { return true }
            guard let right else { return false }
            return left < right
        }
        return false
    }
}
