/// What opening a ledger may do to it.
public enum LedgerOpenMode: Sendable {
    /// The gateway's: create the database file (SQLite) and the schema, apply pending
    /// migrations.
    case migrate
    /// A reader's (the report): the ledger must exist with a schema this code knows; nothing
    /// is created or changed.
    case existing
}
