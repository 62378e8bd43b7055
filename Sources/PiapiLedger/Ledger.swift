import Logging

/// Opens a ledger from its URL. The one entry point, so the gateway and `piapi-usage` get the
/// same connection settings, schema checks and migrations.
public enum Ledger {
    /// The schema version this code writes and reads.
    public static var schemaVersion: Int { LedgerDialect.sqlite.migrations.count }

    /// Connects and, with `.migrate`, creates or migrates the schema. Throws `LedgerError`
    /// (never showing the password) when the database cannot be reached, is not a ledger or
    /// was migrated by a newer piapi.
    public static func open(
        _ url: LedgerURL, mode: LedgerOpenMode = .migrate, logger: Logger
    ) async throws -> any LedgerStore {
        switch url {
        case .sqlite(let path):
            return try await SQLiteLedgerStore.open(path: path, mode: mode, logger: logger)
        case .postgres(let location):
            return try await PostgresLedgerStore.open(location, mode: mode, logger: logger)
        }
    }

    /// `open` for a `--ledger` value as typed (`PGPASSWORD` read from the environment).
    public static func open(
        _ url: String, mode: LedgerOpenMode = .migrate, logger: Logger
    ) async throws -> any LedgerStore {
        try await open(LedgerURL(url), mode: mode, logger: logger)
    }
}
