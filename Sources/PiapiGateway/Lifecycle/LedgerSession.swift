import Foundation
import Logging
import PiapiLedger
import Prometheus

/// piapi-serve's ledger while it runs: the store opened (and migrated) at start, the writer
/// every finished request is queued to, and the budgets read back from the ledger's totals —
/// once at start, so a restart does not reset a user's day, and, on a PostgreSQL ledger that
/// replicas share, again every `refreshInterval` so token and USD budgets are shared too.
final class LedgerSession: Sendable {
    /// How often a shared (PostgreSQL) ledger's totals replace this replica's budget counters.
    static let refreshInterval: Duration = .seconds(5)

    let writer: LedgerWriter
    private let store: any LedgerStore
    private let refresher: Task<Void, Never>?

    private init(store: any LedgerStore, writer: LedgerWriter, refresher: Task<Void, Never>?) {
        self.store = store
        self.writer = writer
        self.refresher = refresher
    }

    /// Opens `text` (`--ledger`), seeds `limits` from its totals and starts the writer.
    /// A ledger that cannot be opened is a start-up error that shows its URL with the
    /// password masked, never the password.
    static func open(_ text: String, retentionDays: Int?, environment: [String: String], limits: LimitStore,
                     tables: TableStore, dropped: Counter, logger: Logger) async throws(GatewayStartupError) -> LedgerSession {
        let url: LedgerURL
        do {
            url = try LedgerURL(text, environment: environment)
        } catch {
            throw GatewayStartupError("--ledger: \(error)")
        }
        let store: any LedgerStore
        do {
            store = try await Ledger.open(url, logger: logger)
        } catch {
            throw GatewayStartupError("cannot open the ledger \(url): \(error)")
        }
        await seed(limits, from: store, tables: tables, logger: logger)
        let writer = LedgerWriter(store: store, retentionDays: retentionDays, logger: logger,
                                  onDrop: { dropped.increment(by: Int64($0)) })
        var refresher: Task<Void, Never>?
        if case .postgres = url {
            refresher = Task {
                while (try? await Task.sleep(for: refreshInterval)) != nil {
                    await seed(limits, from: store, tables: tables, logger: logger)
                }
            }
        }
        logger.info("ledger opened", metadata: ["ledger": "\(url)"])
        return LedgerSession(store: store, writer: writer, refresher: refresher)
    }

    /// Takes the ledger's day and month totals into the budget counters of the current
    /// table's users. A failed read keeps the counters as they are (the writer logs the outage).
    private static func seed(_ limits: LimitStore, from store: any LedgerStore, tables: TableStore, logger: Logger) async {
        let now = Date()
        let totals: LedgerTotals
        do {
            totals = try await LedgerTotals.load(from: store, now: now)
        } catch {
            logger.warning("cannot read the ledger's totals; budgets keep this replica's own counts",
                           metadata: ["error": "\(error)"])
            return
        }
        var budgets: [String: BudgetTotals] = [:]
        for name in Set(totals.day.keys).union(totals.month.keys) {
            budgets[name] = BudgetTotals(dayTokens: totals.day[name]?.tokens ?? 0, dayUSD: totals.day[name]?.usd ?? 0,
                                         monthTokens: totals.month[name]?.tokens ?? 0, monthUSD: totals.month[name]?.usd ?? 0)
        }
        limits.seed(budgets, asOf: now.timeIntervalSince1970, table: tables.current.table)
    }

    /// Stops refreshing, writes what is queued (for at most 5 s) and closes the store.
    func close() async {
        refresher?.cancel()
        await writer.shutdown()
        await store.close()
    }
}
