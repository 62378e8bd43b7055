/// What can go wrong opening, writing or reading a ledger. Every message is built from
/// fixed text and scrubbed database detail, never from the URL as typed, so a password in a
/// mistyped URL cannot end up in a log line or on a terminal. Callers name the ledger with
/// `LedgerURL.description`, which masks the password.
public enum LedgerError: Error, Equatable, CustomStringConvertible {
    /// The `--ledger` value is not a ledger URL; the reason says which part is wrong.
    case badURL(String)
    /// The report was pointed at an SQLite file that does not exist.
    case noSuchLedger
    /// The database is reachable but holds no piapi ledger (no `schema_version` table).
    case notALedger
    /// The ledger was migrated by a newer piapi; this one must not write to it.
    case newerSchema(found: Int, known: Int)
    /// The database refused or failed an operation; the detail never holds the password.
    case database(operation: String, detail: String)
    /// An operation on the database took longer than its limit and was abandoned.
    case timedOut(operation: String)

    public var description: String {
        switch self {
        case .badURL(let reason):
            return
                "bad ledger URL: \(reason) (expected sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=MODE])"
        case .noSuchLedger:
            return "no such ledger (the file does not exist)"
        case .notALedger:
            return "not a piapi ledger (no schema_version table)"
        case .newerSchema(let found, let known):
            return "the ledger has schema version \(found); this piapi knows up to \(known) (upgrade piapi)"
        case .database(let operation, let detail):
            return "ledger \(operation) failed: \(detail)"
        case .timedOut(let operation):
            return "ledger \(operation) timed out"
        }
    }
}
