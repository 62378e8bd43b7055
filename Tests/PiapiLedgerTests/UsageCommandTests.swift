import Foundation
import PiapiLedger
import Testing

/// `piapi-usage report` as a user runs it, on a real SQLite ledger.
@Suite("piapi-usage report (SQLite)")
struct UsageCommandTests {
    let backend: SQLiteBackend

    init() throws { backend = try SQLiteBackend() }

    private func ledgerWithRows() async throws -> String {
        let ledger = try await backend.freshLedger()
        let store = try await Ledger.open(ledger, logger: StoreChecks.logger)
        try await store.insert([
            Fixtures.row(Fixtures.time("2026-04-14T09:00:00Z"), user: "bob", model: "m2"),
            Fixtures.row(Fixtures.time("2026-04-15T09:00:00Z"), user: "alice", model: "m1"),
            Fixtures.row(
                Fixtures.time("2026-04-15T10:00:00Z"), user: "alice", model: "m1", status: 500, input: nil, cost: nil),
        ])
        await store.close()
        return ledger
    }

    @Test func tableCSVAndJSON() async throws {
        defer { backend.remove() }
        let ledger = try await ledgerWithRows()
        let table = try await UsageCommand.run([
            "report", "--ledger", ledger, "--by", "user,model", "--since", "2026-04-15",
        ])
        #expect(table.status == 0, "\(table.standardError)")
        #expect(
            table.standardOutput.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") } == [
                "from 2026-04-15T00:00:00Z to now (UTC); errors = responses with status >= 400",
                "user model requests errors input cache_read cache_write output reasoning cost_usd",
                "alice m1 2 1 100 20 10 100 40 0.250000",
                "total 2 1 100 20 10 100 40 0.250000",
            ])

        let csv = try await UsageCommand.run([
            "report", "--ledger", ledger, "--by", "day", "--until", "2026-04-14", "--format", "csv",
        ])
        #expect(csv.status == 0 && csv.standardError.isEmpty)
        #expect(
            csv.standardOutput
                == "day,requests,errors,input_tokens,cache_read_tokens,cache_write_tokens,output_tokens,reasoning_tokens,cost_usd\r\n2026-04-14,1,0,100,10,5,50,20,0.250000\r\n"
        )

        let json = try await UsageCommand.run([
            "report", "--ledger", ledger, "--by", "user", "--by", "day", "--format", "json",
        ])
        #expect(json.status == 0)
        let parsed = try #require(
            try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let groups = try #require(parsed["groups"] as? [[String: Any]])
        #expect(
            groups.map { "\($0["user"]!) \($0["day"]!) \($0["requests"]!)" } == [
                "alice 2026-04-15 2", "bob 2026-04-14 1",
            ])
    }

    @Test func exitStatuses() async throws {
        defer { backend.remove() }
        let ledger = try await ledgerWithRows()
        let missing = try await UsageCommand.run([
            "report", "--ledger", "sqlite:" + backend.directory.appendingPathComponent("nope.db").path,
        ])
        #expect(
            missing.status == 1 && missing.standardError.contains("nope.db: no such ledger")
                && missing.standardOutput.isEmpty)

        for usage in [
            ["report"],
            ["report", "--ledger", "mysql://root:hunter2@db/x"],
            ["report", "--ledger", ledger, "--by", "colour"],
            ["report", "--ledger", ledger, "--since", "last tuesday"],
            ["report", "--ledger", ledger, "--since", "2026-04-15", "--until", "2026-04-14T12:00:00Z"],
            ["report", "--ledger", ledger, "--format", "xml"],
            ["report", "--ledger", ledger, "--frobnicate"],
        ] {
            let result = try await UsageCommand.run(usage)
            #expect(result.status == 2, "\(usage): \(result.status) \(result.standardError)")
            #expect(!result.standardError.contains("hunter2"))
        }
    }
}
