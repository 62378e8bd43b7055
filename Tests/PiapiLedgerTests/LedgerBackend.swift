import Foundation
import PiapiLedger
import PiapiTestSupport
import SQLiteNIO

/// A real database the shared store checks run against: a fresh, empty ledger per call, and
/// a way to look at it other than through the store.
protocol LedgerBackend: Sendable {
    /// A `--ledger` URL naming a database nothing has touched yet.
    func freshLedger() async throws -> String
    /// Runs SQL on the ledger outside the store and returns the first column of the first row.
    func scalar(_ sql: String, in ledger: String) async throws -> String
    /// SQL counting the ledger's two indexes.
    var indexCountSQL: String { get }
}

/// SQLite files in a temporary directory.
struct SQLiteBackend: LedgerBackend {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("piapi-ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func freshLedger() async throws -> String {
        "sqlite:" + directory.appendingPathComponent("\(UUID().uuidString).db").path
    }

    func scalar(_ sql: String, in ledger: String) async throws -> String {
        let connection = try await SQLiteConnection.open(
            storage: .file(path: String(ledger.dropFirst("sqlite:".count))))
        let rows: [SQLiteRow]
        do {
            rows = try await connection.query(sql)
        } catch {
            try? await connection.close()
            throw error
        }
        try? await connection.close()
        return rows.first?.columns.first?.data.string ?? ""
    }

    var indexCountSQL: String {
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN ('requests_time', 'requests_user_time')"
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Databases on the suite's PostgreSQL server.
struct PostgresBackend: LedgerBackend {
    let server: TestPostgres

    func freshLedger() async throws -> String {
        let name = "ledger_\(UUID().uuidString.prefix(8).lowercased())"
        try await server.createDatabase(name)
        return server.url(database: name)
    }

    func scalar(_ sql: String, in ledger: String) async throws -> String {
        let database = ledger.split(separator: "/").last!.split(separator: "?")[0]
        return try await server.psql(sql, database: String(database)).split(separator: "\n").first.map(String.init)
            ?? ""
    }

    var indexCountSQL: String {
        "SELECT COUNT(*) FROM pg_indexes WHERE indexname IN ('requests_time', 'requests_user_time')"
    }
}
