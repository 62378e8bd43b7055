/// The SQL that differs between the two databases. Both stores share every statement's
/// shape through this, so a report or a total means the same on SQLite and PostgreSQL.
enum LedgerDialect: Sendable {
    /// Times are TEXT in UTC (`2026-11-01T12:34:56.789Z`): they sort as they compare and
    /// read plainly in the `sqlite3` shell.
    case sqlite
    /// Times are `timestamptz`.
    case postgres

    /// The `n`th (1-based) bound parameter.
    func placeholder(_ n: Int) -> String {
        switch self {
        case .sqlite: "?\(n)"
        case .postgres: "$\(n)"
        }
    }

    /// The UTC calendar day of a row, as `YYYY-MM-DD`.
    var dayExpression: String {
        switch self {
        case .sqlite: "substr(time, 1, 10)"
        case .postgres: "to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
        }
    }

    /// The migrations in order; each runs once, in a transaction, and is recorded in
    /// `schema_version`. Never edit a shipped migration: add the next one.
    var migrations: [[String]] {
        let (time, bigint, double, bool) =
            switch self {
            case .sqlite: ("TEXT", "INTEGER", "REAL", "INTEGER")
            case .postgres: ("TIMESTAMPTZ", "BIGINT", "DOUBLE PRECISION", "BOOLEAN")
            }
        return [
            [
                """
                CREATE TABLE requests (
                    time \(time) NOT NULL,
                    request_id TEXT NOT NULL,
                    user_name TEXT,
                    service_type TEXT,
                    provider TEXT,
                    key_name TEXT,
                    model TEXT,
                    status INTEGER NOT NULL,
                    latency_ms \(double) NOT NULL,
                    ttfb_ms \(double),
                    bytes_in \(bigint) NOT NULL,
                    bytes_out \(bigint) NOT NULL,
                    input_tokens \(bigint),
                    cache_read_tokens \(bigint),
                    cache_write_tokens \(bigint),
                    output_tokens \(bigint),
                    reasoning_tokens \(bigint),
                    cost_usd \(double),
                    partial \(bool) NOT NULL,
                    attempts TEXT,
                    table_hash TEXT
                )
                """,
                "CREATE INDEX requests_time ON requests (time)",
                "CREATE INDEX requests_user_time ON requests (user_name, time)",
            ]
        ]
    }

    /// The table that records applied migrations (one row per version).
    var schemaVersionTable: String {
        let time =
            switch self {
            case .sqlite: "TEXT"
            case .postgres: "TIMESTAMPTZ"
            }
        return "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at \(time) NOT NULL)"
    }

    /// The columns a row is written to, in the order `LedgerRow` fields are bound.
    static let columns = [
        "time", "request_id", "user_name", "service_type", "provider", "key_name", "model", "status",
        "latency_ms", "ttfb_ms", "bytes_in", "bytes_out", "input_tokens", "cache_read_tokens",
        "cache_write_tokens", "output_tokens", "reasoning_tokens", "cost_usd", "partial", "attempts",
        "table_hash",
    ]

    /// Rows per INSERT: PostgreSQL takes at most 65,535 parameters in a statement.
    static let rowsPerStatement = 500

    /// One multi-row INSERT for `rowCount` rows.
    func insert(rowCount: Int) -> String {
        let width = Self.columns.count
        let tuples = (0..<rowCount).map { row in
            "(" + (1...width).map { placeholder(row * width + $0) }.joined(separator: ",") + ")"
        }
        return "INSERT INTO requests (\(Self.columns.joined(separator: ", "))) VALUES " + tuples.joined(separator: ",")
    }

    /// Per user, the four input/output token kinds (§9; reasoning is part of output) and the
    /// cost, of the rows from `$1` on.
    var usageTotals: String {
        """
        SELECT user_name,
            CAST(COALESCE(SUM(COALESCE(input_tokens, 0) + COALESCE(cache_read_tokens, 0)
                + COALESCE(cache_write_tokens, 0) + COALESCE(output_tokens, 0)), 0) AS BIGINT),
            CAST(COALESCE(SUM(cost_usd), 0) AS DOUBLE PRECISION)
        FROM requests WHERE time >= \(placeholder(1)) AND user_name IS NOT NULL GROUP BY user_name
        """
    }
}
