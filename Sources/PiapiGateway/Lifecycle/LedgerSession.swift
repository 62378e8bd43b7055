import Glibc
import Logging
import PiapiLedger
import Prometheus

#if canImport(FoundationEssentials)
// Everything this file uses from Foundation is in FoundationEssentials, which has no ICU.
import FoundationEssentials
#else
import Foundation
#endif

/// piapi-serve's ledger while it runs: the store opened (and migrated) at start, the writer
/// every finished request is queued to, and the budgets read back from the ledger's totals —
/// at start, so a restart does not reset a user's day, and again every `refreshInterval`:
/// on a PostgreSQL ledger that replicas share so token and USD budgets are shared too, and on
/// either kind so that a user whose key changed in a reload (counters are kept by key, the
/// ledger by name) gets the day's spend back instead of starting from zero.
final class LedgerSession: Sendable {
    /// How often the ledger's totals are taken into the budget counters (the larger of the
    /// ledger's and the replica's own count wins, so a read never lowers a counter).
    static let refreshInterval: Duration = .seconds(5)

    let writer: LedgerWriter
    private let store: any LedgerStore
    private let refresher: Task<Void, Never>
    /// The lock file held on an SQLite ledger while this process uses it; -1 for PostgreSQL.
    private let lockDescriptor: Int32

    private init(store: any LedgerStore, writer: LedgerWriter, refresher: Task<Void, Never>, lockDescriptor: Int32) {
        self.store = store
        self.writer = writer
        self.refresher = refresher
        self.lockDescriptor = lockDescriptor
    }

    /// Takes `PATH.lock` beside an SQLite ledger: one file belongs to one piapi-serve, because
    /// two would each count only their own spend towards the budgets (found by a review).
    private static func lockSQLite(_ path: String) throws(GatewayStartupError) -> Int32 {
        let lockPath = path + ".lock"
        let descriptor = Glibc.open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw GatewayStartupError("cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(descriptor)
            throw GatewayStartupError(
                "the ledger sqlite:\(path) is in use by another piapi-serve (one process per SQLite ledger; share a PostgreSQL ledger between replicas)"
            )
        }
        return descriptor
    }

    /// Opens `text` (`--ledger`), seeds `limits` from its totals and starts the writer.
    /// A ledger that cannot be opened is a start-up error that shows its URL with the
    /// password masked, never the password.
    static func open(
        _ text: String, retentionDays: Int?, environment: [String: String], limits: LimitStore,
        tables: TableStore, dropped: Counter, logger: Logger
    ) async throws(GatewayStartupError) -> LedgerSession {
        let url: LedgerURL
        do {
            url = try LedgerURL(text, environment: environment)
        } catch {
            throw GatewayStartupError("--ledger: \(error)")
        }
        var lockDescriptor: Int32 = -1
        if case .sqlite(let path) = url { lockDescriptor = try lockSQLite(path) }
        let store: any LedgerStore
        do {
            store = try await Ledger.open(url, logger: logger)
        } catch {
            if lockDescriptor >= 0 { Glibc.close(lockDescriptor) }
            throw GatewayStartupError("cannot open the ledger \(url): \(error)")
        }
        await seed(limits, from: store, tables: tables, logger: logger)
        let writer = LedgerWriter(
            store: store, retentionDays: retentionDays, logger: logger,
            onDrop: { dropped.increment(by: Int64($0)) })
        let refresher = Task {
            while (try? await Task.sleep(for: refreshInterval)) != nil {
                await seed(limits, from: store, tables: tables, logger: logger)
            }
        }
        logger.info("ledger opened", metadata: ["ledger": "\(url)"])
        return LedgerSession(store: store, writer: writer, refresher: refresher, lockDescriptor: lockDescriptor)
    }

    /// Takes the ledger's day and month totals into the budget counters of the current
    /// table's users. A failed read keeps the counters as they are (the writer logs the outage).
    private static func seed(
        _ limits: LimitStore, from store: any LedgerStore, tables: TableStore, logger: Logger
    ) async {
        let now = Date()
        let totals: LedgerTotals
        do {
            totals = try await LedgerTotals.load(from: store, now: now)
        } catch {
            logger.warning(
                "cannot read the ledger's totals; budgets keep this replica's own counts",
                metadata: ["error": "\(error)"])
            return
        }
        var budgets: [String: BudgetTotals] = [:]
        for name in Set(totals.day.keys).union(totals.month.keys) {
            budgets[name] = BudgetTotals(
                dayTokens: totals.day[name]?.tokens ?? 0, dayUSD: totals.day[name]?.usd ?? 0,
                monthTokens: totals.month[name]?.tokens ?? 0, monthUSD: totals.month[name]?.usd ?? 0)
        }
        limits.seed(budgets, asOf: now.timeIntervalSince1970, table: tables.current.table)
    }

    /// Stops refreshing, writes what is queued (for at most 5 s) and closes the store.
    func close() async {
        refresher.cancel()
        await writer.shutdown()
        await store.close()
        if lockDescriptor >= 0 { Glibc.close(lockDescriptor) }
    }
}
