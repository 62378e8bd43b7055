import Foundation
import Logging
import NIOConcurrencyHelpers
import PiapiLedger
import Testing

/// The behaviour every ledger database must show, run by the SQLite and the PostgreSQL
/// suites against real databases.
enum StoreChecks {
    static let logger = Logger(label: "piapi-ledger-test")

    static func migratesOnceAndReopens(_ backend: some LedgerBackend) async throws {
        let ledger = try await backend.freshLedger()
        try await Ledger.open(ledger, logger: logger).close()
        try await Ledger.open(ledger, logger: logger).close()
        try await Ledger.open(ledger, mode: .existing, logger: logger).close()
        #expect(try await backend.scalar("SELECT COUNT(*) FROM schema_version", in: ledger) == "1")
        #expect(
            try await backend.scalar("SELECT MAX(version) FROM schema_version", in: ledger) == "\(Ledger.schemaVersion)"
        )
        #expect(try await backend.scalar(backend.indexCountSQL, in: ledger) == "2")
    }

    static func refusesNewerSchemaAndNonLedgers(_ backend: some LedgerBackend) async throws {
        let ledger = try await backend.freshLedger()
        try await Ledger.open(ledger, logger: logger).close()
        _ = try await backend.scalar(
            "INSERT INTO schema_version (version, applied_at) VALUES (2, CURRENT_TIMESTAMP)", in: ledger)
        await #expect(throws: LedgerError.newerSchema(found: 2, known: 1)) {
            try await Ledger.open(ledger, logger: logger)
        }
        await #expect(throws: LedgerError.newerSchema(found: 2, known: 1)) {
            try await Ledger.open(ledger, mode: .existing, logger: logger)
        }

        let empty = try await backend.freshLedger()
        _ = try await backend.scalar("CREATE TABLE unrelated (x INTEGER)", in: empty)
        await #expect(throws: LedgerError.notALedger) {
            try await Ledger.open(empty, mode: .existing, logger: logger)
        }
    }

    static func storesRowsAsGiven(_ backend: some LedgerBackend) async throws {
        let ledger = try await backend.freshLedger()
        let store = try await Ledger.open(ledger, logger: logger)
        let base = Fixtures.time("2026-04-15T10:00:00Z")
        let bare = LedgerRow(time: base, requestID: "bare", status: 502, latencyMs: 1)
        // More rows than one statement takes, so the insert runs as a transaction of several.
        let many = (0..<1_200).map { Fixtures.row(base.addingTimeInterval(Double($0)), id: "r\($0)") }
        try await store.insert([bare] + many)
        await store.close()

        #expect(try await backend.scalar("SELECT COUNT(*) FROM requests", in: ledger) == "1201")
        let nulls = """
            SELECT COUNT(*) FROM requests WHERE request_id = 'bare' AND user_name IS NULL AND service_type IS NULL
              AND provider IS NULL AND key_name IS NULL AND model IS NULL AND ttfb_ms IS NULL AND input_tokens IS NULL
              AND cache_read_tokens IS NULL AND cache_write_tokens IS NULL AND output_tokens IS NULL
              AND reasoning_tokens IS NULL AND cost_usd IS NULL AND attempts IS NULL AND table_hash IS NULL
              AND status = 502 AND bytes_in = 0
            """
        #expect(try await backend.scalar(nulls, in: ledger) == "1")
        let r7 = "FROM requests WHERE request_id = 'r7'"
        #expect(
            try await backend.scalar("SELECT attempts \(r7)", in: ledger)
                == #"[{"provider":"openai-direct","key":"main","outcome":"ok"}]"#)
        #expect(
            try await backend.scalar(
                "SELECT user_name || '/' || key_name || '/' || model || '/' || table_hash \(r7)", in: ledger)
                == "alice/main/gpt-test/abc123")
        #expect(
            try await backend.scalar(
                "SELECT input_tokens + cache_read_tokens + cache_write_tokens + output_tokens + reasoning_tokens \(r7)",
                in: ledger) == "185")
        #expect(
            try await backend.scalar(
                "SELECT CAST(latency_ms * 100 + ttfb_ms * 4 + cost_usd * 4 + bytes_out AS INTEGER) \(r7)", in: ledger)
                == "2464")
        // UTC, to the millisecond.
        let later = "SELECT COUNT(*) FROM requests WHERE time >= '2026-04-15T10:00:07.000Z'"
        #expect(try await backend.scalar(later, in: ledger) == "1193")
    }

    static func totalsFollowUTCDaysAndMonths(_ backend: some LedgerBackend) async throws {
        let ledger = try await backend.freshLedger()
        let store = try await Ledger.open(ledger, logger: logger)
        defer { Task { await store.close() } }
        let rows = [
            Fixtures.row(Fixtures.time("2026-03-31T23:59:59.999Z"), user: "alice", input: 1_000_000, cost: 100),
            Fixtures.row(
                Fixtures.time("2026-04-01T00:00:00Z"), user: "alice", input: 1, cacheRead: 2, cacheWrite: 3, output: 4,
                reasoning: 4, cost: 1),
            Fixtures.row(
                Fixtures.time("2026-04-14T23:59:59.999Z"), user: "alice", input: 10, cacheRead: 0, cacheWrite: 0,
                output: 10, reasoning: 0, cost: 2),
            Fixtures.row(
                Fixtures.time("2026-04-15T00:00:00Z"), user: "alice", input: 100, cacheRead: nil, cacheWrite: nil,
                output: 100, reasoning: 50, cost: 0.5),
            Fixtures.row(
                Fixtures.time("2026-04-15T11:00:00Z"), user: "bob", input: nil, cacheRead: nil, cacheWrite: nil,
                output: nil, reasoning: nil, cost: nil),
            Fixtures.row(Fixtures.time("2026-04-15T11:30:00Z"), user: nil, input: 5, cost: 5),
        ]
        try await store.insert(rows)
        let totals = try await LedgerTotals.load(from: store, now: Fixtures.time("2026-04-15T12:00:00Z"))
        #expect(totals.dayStart == Fixtures.time("2026-04-15T00:00:00Z"))
        #expect(totals.monthStart == Fixtures.time("2026-04-01T00:00:00Z"))
        #expect(totals.day == ["alice": UsageTotal(tokens: 200, usd: 0.5), "bob": UsageTotal(tokens: 0, usd: 0)])
        #expect(totals.month == ["alice": UsageTotal(tokens: 230, usd: 3.5), "bob": UsageTotal(tokens: 0, usd: 0)])
        // In-memory accounting agrees with the ledger's.
        #expect(rows[1...3].map(UsageTotal.init).reduce(UsageTotal(), +) == totals.month["alice"])
    }

    static func reportsGroupsAndRanges(_ backend: some LedgerBackend) async throws {
        let ledger = try await backend.freshLedger()
        let store = try await Ledger.open(ledger, logger: logger)
        defer { Task { await store.close() } }
        try await store.insert([
            Fixtures.row(Fixtures.time("2026-04-14T09:00:00Z"), user: "bob", model: "m2"),
            Fixtures.row(Fixtures.time("2026-04-15T09:00:00Z"), user: "alice", model: "m1"),
            Fixtures.row(
                Fixtures.time("2026-04-15T10:00:00Z"), user: "alice", model: "m1", status: 429, input: nil,
                cacheRead: nil, cacheWrite: nil, output: nil, reasoning: nil, cost: nil),
            Fixtures.row(Fixtures.time("2026-04-15T11:00:00Z"), user: "alice", model: "m2", cost: nil),
            Fixtures.row(
                Fixtures.time("2026-04-16T00:00:00Z"), user: nil, model: nil, status: 401, input: nil, cacheRead: nil,
                cacheWrite: nil, output: nil, reasoning: nil, cost: nil),
        ])

        let byUserModel = try await UsageReport.run(UsageQuery(groupBy: [.user, .model]), on: store)
        #expect(
            byUserModel.rows == [
                UsageReportRow(group: [nil, nil], requests: 1, errors: 1),
                UsageReportRow(
                    group: ["alice", "m1"], requests: 2, errors: 1, inputTokens: 100, cacheReadTokens: 10,
                    cacheWriteTokens: 5, outputTokens: 50, reasoningTokens: 20, costUSD: 0.25),
                UsageReportRow(
                    group: ["alice", "m2"], requests: 1, inputTokens: 100, cacheReadTokens: 10, cacheWriteTokens: 5,
                    outputTokens: 50, reasoningTokens: 20),
                UsageReportRow(
                    group: ["bob", "m2"], requests: 1, inputTokens: 100, cacheReadTokens: 10, cacheWriteTokens: 5,
                    outputTokens: 50, reasoningTokens: 20, costUSD: 0.25),
            ])
        #expect(
            byUserModel.total
                == UsageReportRow(
                    group: [], requests: 5, errors: 2, inputTokens: 300, cacheReadTokens: 30, cacheWriteTokens: 15,
                    outputTokens: 150, reasoningTokens: 60, costUSD: 0.5))

        let byDay = try await UsageReport.run(UsageQuery(groupBy: [.day]), on: store)
        #expect(byDay.rows.map(\.group) == [["2026-04-14"], ["2026-04-15"], ["2026-04-16"]])
        #expect(byDay.rows.map(\.requests) == [1, 3, 1])

        let range = UsageQuery(
            since: Fixtures.time("2026-04-15T09:00:00Z"), until: Fixtures.time("2026-04-15T11:00:00Z"),
            groupBy: [.service, .provider, .key])
        let ranged = try await UsageReport.run(range, on: store)
        #expect(
            ranged.rows == [
                UsageReportRow(
                    group: ["openai", "openai-direct", "main"], requests: 2, errors: 1, inputTokens: 100,
                    cacheReadTokens: 10, cacheWriteTokens: 5, outputTokens: 50, reasoningTokens: 20, costUSD: 0.25)
            ])

        let nothing = try await UsageReport.run(UsageQuery(since: Fixtures.time("2030-01-01T00:00:00Z")), on: store)
        #expect(nothing.rows == [UsageReportRow(group: [], requests: 0)])
        let nothingGrouped = try await UsageReport.run(
            UsageQuery(since: Fixtures.time("2030-01-01T00:00:00Z"), groupBy: [.user]), on: store)
        #expect(nothingGrouped.rows.isEmpty)
    }

    static func retentionDeletesOldRows(_ backend: some LedgerBackend) async throws {
        let ledger = try await backend.freshLedger()
        let store = try await Ledger.open(ledger, logger: logger)
        let now = Date()
        try await store.insert(
            (0..<100).map { Fixtures.row(now.addingTimeInterval(-40 * 86_400 + Double($0)), id: "old\($0)") })
        // 25,600 old rows (doubled in the database: quicker than encoding them), several slices' worth.
        for _ in 0..<8 { _ = try await backend.scalar("INSERT INTO requests SELECT * FROM requests", in: ledger) }
        try await store.insert([
            Fixtures.row(now.addingTimeInterval(-29 * 86_400), id: "recent"), Fixtures.row(now, id: "now"),
        ])
        #expect(try await store.deleteOlderThan(days: 30, now: now) == 25_600)
        #expect(try await store.deleteOlderThan(days: 30, now: now) == 0)
        #expect(try await backend.scalar("SELECT COUNT(*) FROM requests", in: ledger) == "2")

        // The writer applies --ledger-retention at start.
        try await store.insert([Fixtures.row(now.addingTimeInterval(-2 * 86_400), id: "two-days")])
        let writer = LedgerWriter(store: store, retentionDays: 1, logger: logger)
        #expect(
            try await Fixtures.eventually(within: 10) {
                try await backend.scalar("SELECT COUNT(*) FROM requests", in: ledger) == "1"
            })
        await writer.shutdown()
        await store.close()
    }

    static func writesBatchesWithinASecond(_ backend: some LedgerBackend) async throws {
        let ledger = try await backend.freshLedger()
        let store = try await Ledger.open(ledger, logger: logger)
        let writer = LedgerWriter(store: store, logger: logger)
        let start = ContinuousClock.now
        for index in 0..<3 { writer.enqueue(Fixtures.row(Date(), id: "w\(index)")) }
        // The default flush interval is 1 s; allow a busy machine some slack on top.
        #expect(
            try await Fixtures.eventually(within: 2.5) {
                try await backend.scalar("SELECT COUNT(*) FROM requests", in: ledger) == "3"
            })
        #expect(ContinuousClock.now - start < .seconds(2.5))
        #expect(writer.writtenCount == 3 && writer.droppedCount == 0 && writer.queuedCount == 0)
        await writer.shutdown()
        await store.close()
    }

    static func shutdownFlushesTheQueue(_ backend: some LedgerBackend) async throws {
        let ledger = try await backend.freshLedger()
        let store = try await Ledger.open(ledger, logger: logger)
        let drops = NIOLockedValueBox(0)
        // No tick during the test: only shutdown can write these.
        let writer = LedgerWriter(store: store, flushInterval: .seconds(600), logger: logger) { count in
            drops.withLockedValue { $0 += count }
        }
        for index in 0..<1_234 { writer.enqueue(Fixtures.row(Date(), id: "s\(index)")) }
        await writer.shutdown()
        #expect(try await backend.scalar("SELECT COUNT(*) FROM requests", in: ledger) == "1234")
        writer.enqueue(Fixtures.row(Date(), id: "late"))
        #expect(writer.writtenCount == 1_234 && writer.droppedCount == 1 && drops.withLockedValue { $0 } == 1)
        await store.close()
    }
}
