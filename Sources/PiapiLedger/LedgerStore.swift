import Foundation

/// A ledger database. The writer, the limits and the report talk to this, so each works the
/// same on SQLite and PostgreSQL. Implementations are safe to call from concurrent tasks.
public protocol LedgerStore: Sendable {
    /// Where the ledger is, password masked.
    var location: LedgerURL { get }

    /// Writes all rows or none (one statement, or one transaction for more rows than fit in
    /// one), so a retried batch is never written twice.
    func insert(_ rows: [LedgerRow]) async throws

    /// Deletes rows older than `now` minus `days` days, in slices so inserts interleave, and
    /// returns how many went. A cancelled task stops after the current slice.
    func deleteOlderThan(days: Int, now: Date) async throws -> Int

    /// Per user, the tokens and USD of the rows from `since` on (rows without a user are not
    /// counted: they belong to nobody's budget).
    func usageTotals(since: Date) async throws -> [String: UsageTotal]

    /// The grouped sums behind `piapi-usage report`, unsorted.
    func report(_ query: UsageQuery) async throws -> [UsageReportRow]

    /// Closes the connection; the store is unusable afterwards.
    func close() async
}

extension LedgerStore {
    public func deleteOlderThan(days: Int) async throws -> Int {
        try await deleteOlderThan(days: days, now: Date())
    }
}
