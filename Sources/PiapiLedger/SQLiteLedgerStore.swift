import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOPosix
import SQLiteNIO

/// The embedded ledger: one SQLite file in WAL mode, so `piapi-usage report` can read while
/// piapi-serve writes. The connection runs on a thread of its own: a statement waiting on a
/// lock held by another process occupies that thread, never one the gateway uses.
final class SQLiteLedgerStore: LedgerStore {
    let location: LedgerURL
    private let connection: SQLiteConnection
    private let threadPool: NIOThreadPool

    private init(location: LedgerURL, connection: SQLiteConnection, threadPool: NIOThreadPool) {
        self.location = location
        self.connection = connection
        self.threadPool = threadPool
    }

    static func open(path: String, mode: LedgerOpenMode, logger: Logger) async throws -> SQLiteLedgerStore {
        let location = LedgerURL.sqlite(path: path)
        // sqlite-nio opens with URI names enabled: an absolute path can never be read as one.
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        if mode == .existing, !FileManager.default.fileExists(atPath: absolute) {
            throw LedgerError.noSuchLedger
        }
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(
                storage: .file(path: absolute), threadPool: threadPool, logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.any())
        } catch {
            try? await threadPool.shutdownGracefully()
            throw LedgerError.database(operation: "open", detail: "\(error)")
        }
        let store = SQLiteLedgerStore(location: location, connection: connection, threadPool: threadPool)
        do {
            try await store.prepare(mode)
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    func insert(_ rows: [LedgerRow]) async throws {
        guard !rows.isEmpty else { return }
        try await wrap("insert") {
            let chunks = stride(from: 0, to: rows.count, by: LedgerDialect.rowsPerStatement).map {
                rows[$0..<min($0 + LedgerDialect.rowsPerStatement, rows.count)]
            }
            if chunks.count == 1 {
                try await insertChunk(chunks[0])
            } else {
                try await transaction { for chunk in chunks { try await insertChunk(chunk) } }
            }
        }
    }

    func deleteOlderThan(days: Int, now: Date) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        return try await wrap("retention delete") {
            // In slices, so the writer's inserts get the lock between them.
            let sql =
                "DELETE FROM requests WHERE rowid IN (SELECT rowid FROM requests WHERE time < ?1 LIMIT 10000) RETURNING 1"
            var total = 0
            while true {
                let deleted = NIOLockedValueBox(0)
                try await connection.query(sql, [.text(LedgerTime.text(cutoff))]) { _ in
                    deleted.withLockedValue { $0 += 1 }
                }
                let count = deleted.withLockedValue { $0 }
                total += count
                if count == 0 || Task.isCancelled { return total }
            }
        }
    }

    func usageTotals(since: Date) async throws -> [String: UsageTotal] {
        try await wrap("totals query") {
            let rows = try await connection.query(LedgerDialect.sqlite.usageTotals, [.text(LedgerTime.text(since))])
            var totals: [String: UsageTotal] = [:]
            for row in rows {
                let values = row.columns.map(\.data)
                guard let user = values[0].string else { continue }
                totals[user] = UsageTotal(tokens: values[1].integer ?? 0, usd: values[2].double ?? 0)
            }
            return totals
        }
    }

    func report(_ query: UsageQuery) async throws -> [UsageReportRow] {
        try await wrap("report query") {
            let binds = query.bounds.map { SQLiteData.text(LedgerTime.text($0)) }
            let rows = try await connection.query(query.sql(.sqlite), binds)
            let width = query.groupBy.count
            return rows.map { row in
                let values = row.columns.map(\.data)
                let sums = values[width...].dropLast().map { $0.integer ?? 0 }
                return UsageReportRow(
                    group: values[..<width].map(\.string), requests: sums[0], errors: sums[1],
                    inputTokens: sums[2], cacheReadTokens: sums[3], cacheWriteTokens: sums[4],
                    outputTokens: sums[5], reasoningTokens: sums[6], costUSD: values.last?.double)
            }
        }
    }

    func close() async {
        try? await connection.close()
        try? await threadPool.shutdownGracefully()
    }

    // MARK: - Schema

    private func prepare(_ mode: LedgerOpenMode) async throws {
        try await wrap("open") {
            // Wait for another process's lock (the report while the gateway writes) rather than
            // fail at once; this replaces sqlite-nio's busy handler, which retries forever.
            _ = try await connection.query("PRAGMA busy_timeout = 5000")
            switch mode {
            case .migrate:
                _ = try await connection.query("PRAGMA journal_mode = WAL")
                _ = try await connection.query("PRAGMA synchronous = NORMAL")
                try await migrate()
            case .existing:
                let found = try await connection.query(
                    "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'")
                guard !found.isEmpty else { throw LedgerError.notALedger }
                try check(version: try await currentVersion(), mode: .existing)
            }
        }
    }

    private func migrate() async throws {
        _ = try await connection.query("BEGIN IMMEDIATE")
        do {
            _ = try await connection.query(LedgerDialect.sqlite.schemaVersionTable)
            let current = try await currentVersion()
            try check(version: current, mode: .migrate)
            let migrations = LedgerDialect.sqlite.migrations
            for version in (current + 1)..<(migrations.count + 1) {
                for statement in migrations[version - 1] { _ = try await connection.query(statement) }
                _ = try await connection.query(
                    "INSERT INTO schema_version (version, applied_at) VALUES (?1, ?2)",
                    [.integer(version), .text(LedgerTime.text(Date()))])
            }
            _ = try await connection.query("COMMIT")
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    private func currentVersion() async throws -> Int {
        let rows = try await connection.query("SELECT COALESCE(MAX(version), 0) FROM schema_version")
        return rows.first?.columns.first?.data.integer ?? 0
    }

    /// A newer schema is refused (this code would misread it); none at all only when the
    /// ledger must already exist.
    private func check(version: Int, mode: LedgerOpenMode) throws {
        if version > Ledger.schemaVersion { throw LedgerError.newerSchema(found: version, known: Ledger.schemaVersion) }
        if version == 0, mode == .existing { throw LedgerError.notALedger }
    }

    // MARK: - Helpers

    private func insertChunk(_ rows: ArraySlice<LedgerRow>) async throws {
        var binds: [SQLiteData] = []
        binds.reserveCapacity(rows.count * LedgerDialect.columns.count)
        for row in rows {
            binds += [
                .text(LedgerTime.text(row.time)), .text(row.requestID), text(row.user), text(row.serviceType),
                text(row.provider), text(row.keyName), text(row.model), .integer(row.status), .float(row.latencyMs),
                float(row.ttfbMs), .integer(row.bytesIn), .integer(row.bytesOut), integer(row.inputTokens),
                integer(row.cacheReadTokens), integer(row.cacheWriteTokens), integer(row.outputTokens),
                integer(row.reasoningTokens), float(row.costUSD), .integer(row.partial ? 1 : 0), text(row.attempts),
                text(row.tableHash),
            ]
        }
        _ = try await connection.query(LedgerDialect.sqlite.insert(rowCount: rows.count), binds)
    }

    private func transaction(_ body: () async throws -> Void) async throws {
        _ = try await connection.query("BEGIN IMMEDIATE")
        do {
            try await body()
            _ = try await connection.query("COMMIT")
        } catch {
            _ = try? await connection.query("ROLLBACK")
            throw error
        }
    }

    /// Gives every failure the `LedgerError` form the writer logs and the report prints.
    private func wrap<T>(_ operation: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError.database(operation: operation, detail: "\(error)")
        }
    }

    private func text(_ value: String?) -> SQLiteData { value.map { .text($0) } ?? .null }
    private func integer(_ value: Int?) -> SQLiteData { value.map { .integer($0) } ?? .null }
    private func float(_ value: Double?) -> SQLiteData { value.map { .float($0) } ?? .null }
}
