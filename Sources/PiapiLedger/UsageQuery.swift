import Foundation

/// A report's range and grouping.
public struct UsageQuery: Sendable, Equatable {
    /// Rows with `since <= time < until`; nil leaves that side open.
    public var since: Date?
    public var until: Date?
    /// In the order given; a dimension named twice counts once.
    public var groupBy: [ReportDimension]

    public init(since: Date? = nil, until: Date? = nil, groupBy: [ReportDimension] = []) {
        self.since = since
        self.until = until
        var seen = Set<ReportDimension>()
        self.groupBy = groupBy.filter { seen.insert($0).inserted }
    }

    /// The bounds to bind, in placeholder order.
    var bounds: [Date] { [since, until].compactMap { $0 } }

    /// One grouped SELECT: the group columns, then requests, errors (status ≥ 400), the five
    /// token kinds and the cost (NULL when no row in the group had one).
    func sql(_ dialect: LedgerDialect) -> String {
        var conditions: [String] = []
        if since != nil { conditions.append("time >= \(dialect.placeholder(conditions.count + 1))") }
        if until != nil { conditions.append("time < \(dialect.placeholder(conditions.count + 1))") }
        let sums = ["input_tokens", "cache_read_tokens", "cache_write_tokens", "output_tokens", "reasoning_tokens"]
            .map { "CAST(COALESCE(SUM(\($0)), 0) AS BIGINT)" }
        let columns =
            groupBy.map { $0.expression(dialect) } + [
                "CAST(COUNT(*) AS BIGINT)",
                "CAST(COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0) AS BIGINT)",
            ] + sums + ["CAST(SUM(cost_usd) AS DOUBLE PRECISION)"]
        var sql = "SELECT " + columns.joined(separator: ", ") + " FROM requests"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if !groupBy.isEmpty { sql += " GROUP BY " + (1...groupBy.count).map(String.init).joined(separator: ", ") }
        return sql
    }
}
