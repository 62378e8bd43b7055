import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// The shared ledger: a PostgreSQL database that every replica writes to and reads budgets
/// from. One connection, opened lazily and replaced when it breaks, so a database that goes
/// away and comes back is picked up by the next operation without a restart. Every operation
/// has a time limit: a server that stops answering closes the connection instead of holding
/// the writer forever. (A write that timed out may still have been committed; its retry then
/// stores the rows twice, which `request_id` shows.)
actor PostgresLedgerStore: LedgerStore {
    nonisolated let location: LedgerURL
    private let configuration: PostgresConnection.Configuration
    /// Scrubbed from every error detail, whatever the driver put in it.
    private let password: String?
    private let logger: Logger
    private let operationTimeout: Duration
    private var connection: PostgresConnection?
    private var connecting: Task<PostgresConnection, any Error>?
    private var connectionCount = 0

    private init(
        location: PostgresLocation, configuration: PostgresConnection.Configuration, operationTimeout: Duration,
        logger: Logger
    ) {
        self.location = .postgres(location)
        self.configuration = configuration
        self.password = location.password
        self.operationTimeout = operationTimeout
        self.logger = logger
    }

    static func open(
        _ location: PostgresLocation, mode: LedgerOpenMode, operationTimeout: Duration = .seconds(10), logger: Logger
    ) async throws -> PostgresLedgerStore {
        let store = PostgresLedgerStore(
            location: location, configuration: try configuration(location), operationTimeout: operationTimeout,
            logger: logger)
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
        try await run("insert") { connection in
            let chunks = stride(from: 0, to: rows.count, by: LedgerDialect.rowsPerStatement).map {
                rows[$0..<min($0 + LedgerDialect.rowsPerStatement, rows.count)]
            }
            if chunks.count == 1 {
                try await Self.insert(chunks[0], on: connection, logger: logger)
            } else {
                try await transaction(on: connection) {
                    for chunk in chunks { try await Self.insert(chunk, on: connection, logger: logger) }
                }
            }
        }
    }

    func deleteOlderThan(days: Int, now: Date) async throws -> Int {
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        var total = 0
        while true {
            // In slices, each within the time limit, so the writer's inserts interleave.
            let deleted = try await run("retention delete") { connection in
                var binds = PostgresBindings()
                binds.append(cutoff)
                let query = PostgresQuery(
                    unsafeSQL: """
                        WITH gone AS (DELETE FROM requests WHERE ctid IN
                            (SELECT ctid FROM requests WHERE time < $1 LIMIT 10000) RETURNING 1)
                        SELECT CAST(COUNT(*) AS BIGINT) FROM gone
                        """,
                    binds: binds)
                var count = 0
                for try await found in try await connection.query(query, logger: logger).decode(Int.self) {
                    count = found
                }
                return count
            }
            total += deleted
            if deleted == 0 || Task.isCancelled { return total }
        }
    }

    func usageTotals(since: Date) async throws -> [String: UsageTotal] {
        try await run("totals query") { connection in
            var binds = PostgresBindings()
            binds.append(since)
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: LedgerDialect.postgres.usageTotals, binds: binds), logger: logger)
            var totals: [String: UsageTotal] = [:]
            for try await (user, tokens, usd) in rows.decode((String, Int, Double).self) {
                totals[user] = UsageTotal(tokens: tokens, usd: usd)
            }
            return totals
        }
    }

    func report(_ query: UsageQuery) async throws -> [UsageReportRow] {
        try await run("report query") { connection in
            var binds = PostgresBindings()
            for bound in query.bounds { binds.append(bound) }
            let rows = try await connection.query(
                PostgresQuery(unsafeSQL: query.sql(.postgres), binds: binds), logger: logger)
            let width = query.groupBy.count
            var result: [UsageReportRow] = []
            for try await row in rows {
                let cells = Array(row)
                let group = try cells[..<width].map { try $0.decode(String?.self) }
                let sums = try cells[width..<(width + 7)].map { try $0.decode(Int.self) }
                result.append(
                    UsageReportRow(
                        group: group, requests: sums[0], errors: sums[1], inputTokens: sums[2],
                        cacheReadTokens: sums[3],
                        cacheWriteTokens: sums[4], outputTokens: sums[5], reasoningTokens: sums[6],
                        costUSD: try cells[width + 7].decode(Double?.self)))
            }
            return result
        }
    }

    func close() async {
        connecting?.cancel()
        if let connection { try? await connection.close() }
        connection = nil
    }

    // MARK: - Schema

    private func prepare(_ mode: LedgerOpenMode) async throws {
        try await run("open") { connection in
            switch mode {
            case .migrate:
                try await transaction(on: connection) {
                    // Replicas starting together: one migrates, the others wait and find it done.
                    try await connection.query("SELECT pg_advisory_xact_lock(7045484101)", logger: logger)
                    try await connection.query(
                        PostgresQuery(unsafeSQL: LedgerDialect.postgres.schemaVersionTable), logger: logger)
                    let current = try await Self.currentVersion(connection, logger: logger)
                    try check(version: current, mode: .migrate)
                    let migrations = LedgerDialect.postgres.migrations
                    for version in (current + 1)..<(migrations.count + 1) {
                        for statement in migrations[version - 1] {
                            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await connection.query(
                            "INSERT INTO schema_version (version, applied_at) VALUES (\(version), now())",
                            logger: logger)
                    }
                }
            case .existing:
                let rows = try await connection.query(
                    "SELECT to_regclass('schema_version') IS NOT NULL", logger: logger)
                var exists = false
                for try await found in rows.decode(Bool.self) { exists = found }
                guard exists else { throw LedgerError.notALedger }
                try check(version: try await Self.currentVersion(connection, logger: logger), mode: .existing)
            }
        }
    }

    private static func currentVersion(_ connection: PostgresConnection, logger: Logger) async throws -> Int {
        let rows = try await connection.query(
            "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM schema_version", logger: logger)
        var version = 0
        for try await found in rows.decode(Int.self) { version = found }
        return version
    }

    /// A newer schema is refused (this code would misread it); none at all only when the
    /// ledger must already exist.
    private func check(version: Int, mode: LedgerOpenMode) throws {
        if version > Ledger.schemaVersion { throw LedgerError.newerSchema(found: version, known: Ledger.schemaVersion) }
        if version == 0, mode == .existing { throw LedgerError.notALedger }
    }

    // MARK: - Connection

    /// Runs `body` on the connection (opening one if needed) within the time limit. A broken
    /// connection is forgotten, so the next operation reconnects.
    private func run<T: Sendable>(_ operation: String, _ body: (PostgresConnection) async throws -> T) async throws -> T
    {
        let connection: PostgresConnection
        do {
            connection = try await connect()
        } catch {
            throw LedgerError.database(operation: "\(operation) (connect)", detail: scrub(error))
        }
        let limit = operationTimeout
        let watchdog = Task {
            do { try await Task.sleep(for: limit) } catch { return false }
            try? await connection.close()
            return true
        }
        do {
            let value = try await body(connection)
            watchdog.cancel()
            return value
        } catch {
            watchdog.cancel()
            let timedOut = await watchdog.value
            if connection.isClosed, self.connection === connection { self.connection = nil }
            if timedOut { throw LedgerError.timedOut(operation: operation) }
            if let error = error as? LedgerError { throw error }
            throw LedgerError.database(operation: operation, detail: scrub(error))
        }
    }

    private func connect() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        if let connecting { return try await connecting.value }
        connectionCount += 1
        let task = Task { [configuration, logger, connectionCount] in
            try await PostgresConnection.connect(configuration: configuration, id: connectionCount, logger: logger)
        }
        connecting = task
        defer { connecting = nil }
        let opened = try await task.value
        connection = opened
        return opened
    }

    private static func configuration(_ location: PostgresLocation) throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch location.sslMode {
        case .disable:
            tls = .disable
        case .prefer, .require:
            var unverified = TLSConfiguration.makeClientConfiguration()
            unverified.certificateVerification = .none
            let context = try NIOSSLContext(configuration: unverified)
            tls = location.sslMode == .prefer ? .prefer(context) : .require(context)
        case .verifyFull:
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: location.password,
            database: location.database, tls: tls)
        configuration.options.connectTimeout = .seconds(Int64(location.connectTimeoutSeconds))
        return configuration
    }

    /// The driver's error as one line: its code, the server's message and the transport
    /// cause. Its full reflection would carry the statement with every bound value.
    private func scrub(_ error: any Error) -> String {
        var detail: String
        if let error = error as? PSQLError {
            detail = "\(error.code)"
            if let message = error.serverInfo?[.message] { detail += ": \(message)" }
            if let state = error.serverInfo?[.sqlState] { detail += " (SQLSTATE \(state))" }
            if let underlying = error.underlying { detail += ": \(underlying)" }
        } else {
            detail = "\(error)"
        }
        if let password, !password.isEmpty { detail = detail.replacingOccurrences(of: password, with: "***") }
        return detail
    }

    private static func insert(
        _ rows: ArraySlice<LedgerRow>, on connection: PostgresConnection, logger: Logger
    ) async throws {
        var binds = PostgresBindings(capacity: rows.count * LedgerDialect.columns.count)
        for row in rows {
            binds.append(row.time)
            binds.append(row.requestID)
            binds.append(row.user)
            binds.append(row.serviceType)
            binds.append(row.provider)
            binds.append(row.keyName)
            binds.append(row.model)
            binds.append(row.status)
            binds.append(row.latencyMs)
            binds.append(row.ttfbMs)
            binds.append(row.bytesIn)
            binds.append(row.bytesOut)
            binds.append(row.inputTokens)
            binds.append(row.cacheReadTokens)
            binds.append(row.cacheWriteTokens)
            binds.append(row.outputTokens)
            binds.append(row.reasoningTokens)
            binds.append(row.costUSD)
            binds.append(row.partial)
            binds.append(row.attempts)
            binds.append(row.tableHash)
        }
        try await connection.query(
            PostgresQuery(unsafeSQL: LedgerDialect.postgres.insert(rowCount: rows.count), binds: binds), logger: logger)
    }

    private func transaction(on connection: PostgresConnection, _ body: () async throws -> Void) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            try await body()
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }
}
