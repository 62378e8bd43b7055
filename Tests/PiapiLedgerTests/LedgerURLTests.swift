import PiapiLedger
import Testing

@Suite("Ledger URLs")
struct LedgerURLTests {
    @Test(arguments: [
        ("sqlite:ledger.db", "ledger.db"),
        ("sqlite:/var/lib/piapi/ledger.db", "/var/lib/piapi/ledger.db"),
        ("sqlite:///var/lib/piapi/ledger.db", "/var/lib/piapi/ledger.db"),
    ])
    func sqlitePaths(text: String, path: String) throws {
        #expect(try LedgerURL(text) == .sqlite(path: path))
    }

    @Test func postgresParts() throws {
        guard
            case .postgres(let location) = try LedgerURL(
                "postgresql://piapi:s3cr%40t@db.internal:6543/usage?sslmode=require", environment: [:])
        else {
            Issue.record("not postgres")
            return
        }
        #expect(location.host == "db.internal" && location.port == 6543 && location.user == "piapi")
        #expect(location.database == "usage" && location.sslMode == .require && location.hasPassword)
        #expect(location.description == "postgres://piapi:***@db.internal:6543/usage?sslmode=require")
    }

    @Test func connectTimeoutIsWholeSecondsAndShown() throws {
        let url = try LedgerURL("postgres://piapi@db/usage?connect_timeout=30&sslmode=disable", environment: [:])
        guard case .postgres(let location) = url else {
            Issue.record("not postgres")
            return
        }
        #expect(location.connectTimeoutSeconds == 30)
        #expect(url.description == "postgres://piapi@db:5432/usage?sslmode=disable&connect_timeout=30")
        for bad in ["0", "-1", "3601", "1.5", "", "5s", "٣"] {
            #expect(throws: LedgerError.self) {
                try LedgerURL("postgres://piapi@db/usage?connect_timeout=\(bad)", environment: [:])
            }
        }
    }

    @Test func postgresDefaults() throws {
        let url = try LedgerURL("postgres://piapi@[::1]", environment: [:])
        #expect(url.description == "postgres://piapi@[::1]:5432/piapi?sslmode=prefer")
    }

    @Test func passwordFromPGPASSWORDOnlyWhenTheURLHasNone() throws {
        let fromEnvironment = try LedgerURL("postgres://piapi@db/usage", environment: ["PGPASSWORD": "env-secret"])
        #expect(fromEnvironment.description == "postgres://piapi:***@db:5432/usage?sslmode=prefer")
        let none = try LedgerURL("postgres://piapi@db/usage", environment: [:])
        #expect(none.description == "postgres://piapi@db:5432/usage?sslmode=prefer")
        // The URL's own password wins; the environment's is not used.
        let both = try LedgerURL("postgres://piapi:url-secret@db/usage", environment: ["PGPASSWORD": "env-secret"])
        let other = try LedgerURL("postgres://piapi:url-secret@db/usage", environment: [:])
        #expect(both == other)
    }

    /// An unencoded `@`, `:` or `/` in a password still parses (split at the last `@`), and
    /// no rendering of the value shows it.
    @Test func passwordNeverShown() throws {
        let secret = "p@ss:w/rd?x"
        let url = try LedgerURL("postgres://piapi:\(secret)@db:5432/usage", environment: [:])
        var dumped = ""
        dump(url, to: &dumped)
        for text in [url.description, String(reflecting: url), "\(url)", dumped] {
            #expect(!text.contains(secret) && !text.contains("w/rd"), "\(text)")
        }
        #expect(url.description == "postgres://piapi:***@db:5432/usage?sslmode=prefer")
    }

    @Test(arguments: [
        "mysql://piapi:hunter2@db/usage",
        "postgres://piapi:hunter2@db:notaport/usage",
        "postgres://piapi:hunter2@db:0/usage",
        "postgres://piapi:hunter2@:5432/usage",
        "postgres://:hunter2@db/usage",
        "postgres://hunter2-db/usage",
        "postgres://piapi:hunter2@db/usage?sslmode=sometimes",
        "postgres://piapi:hunter2@db/usage?password=hunter2",
        "postgres://piapi:hunter2%zz@db/usage",
        "postgres://piapi:hunter2@db/usage/extra",
        "postgres://piapi:hunter2@[::1/usage",
        "sqlite:",
        "sqlite://host/ledger.db",
    ])
    func badURLsSayWhyWithoutTheSecret(text: String) {
        do {
            _ = try LedgerURL(text, environment: [:])
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.description.hasPrefix("bad ledger URL: "))
            #expect(!error.description.contains("hunter2"), "\(error)")
        }
    }
}
