import Foundation
import NIOConcurrencyHelpers
import PiapiTestSupport
import Testing

@testable import PiapiLedger

/// The ledger on a real PostgreSQL server (one for the suite), including the server
/// stopping mid-run.
@Suite("PostgreSQL ledger", .serialized, .postgresServer)
struct PostgresLedgerTests {
    var backend: PostgresBackend { get throws { PostgresBackend(server: try PostgresServerTrait.server) } }

    @Test func migratesOnceAndReopens() async throws {
        try await StoreChecks.migratesOnceAndReopens(try backend)
    }

    @Test func refusesNewerSchemaAndNonLedgers() async throws {
        try await StoreChecks.refusesNewerSchemaAndNonLedgers(try backend)
    }

    @Test func storesRowsAsGiven() async throws {
        try await StoreChecks.storesRowsAsGiven(try backend)
    }

    @Test func totalsFollowUTCDaysAndMonths() async throws {
        try await StoreChecks.totalsFollowUTCDaysAndMonths(try backend)
    }

    @Test func reportsGroupsAndRanges() async throws {
        try await StoreChecks.reportsGroupsAndRanges(try backend)
    }

    @Test func retentionDeletesOldRows() async throws {
        try await StoreChecks.retentionDeletesOldRows(try backend)
    }

    @Test func writesBatchesWithinASecond() async throws {
        try await StoreChecks.writesBatchesWithinASecond(try backend)
    }

    @Test func shutdownFlushesTheQueue() async throws {
        try await StoreChecks.shutdownFlushesTheQueue(try backend)
    }

    /// Replicas starting together: the advisory lock lets one migrate; the others find it done.
    @Test func concurrentOpensMigrateOnce() async throws {
        let backend = try backend
        let ledger = try await backend.freshLedger()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask { try await Ledger.open(ledger, logger: StoreChecks.logger).close() }
            }
            try await group.waitForAll()
        }
        #expect(try await backend.scalar("SELECT COUNT(*) FROM schema_version", in: ledger) == "1")
    }

    @Test func passwordFromTheEnvironmentAndNeverShown() async throws {
        let server = try PostgresServerTrait.server
        let backend = try backend
        let ledger = try await backend.freshLedger()
        let database = String(ledger.split(separator: "/").last!.split(separator: "?")[0])
        let withoutPassword = server.url(database: database, includePassword: false)

        let fromEnvironment = try LedgerURL(withoutPassword, environment: ["PGPASSWORD": server.password])
        #expect(!fromEnvironment.description.contains(server.password))
        try await Ledger.open(fromEnvironment, logger: StoreChecks.logger).close()

        let fromURL = try LedgerURL(ledger, environment: [:])
        #expect(
            fromURL.description
                == "postgres://postgres:***@127.0.0.1:\(server.port)/\(database)?sslmode=disable&connect_timeout=60")
        #expect(!String(reflecting: fromURL).contains(server.password))
        var dumped = ""
        dump(fromURL, to: &dumped)
        #expect(!dumped.contains(server.password))

        let capture = LogCapture()
        let wrong = "not-the-password-\(UUID().uuidString)"
        let wrongURL = try LedgerURL(withoutPassword, environment: ["PGPASSWORD": wrong])
        do {
            _ = try await Ledger.open(wrongURL, logger: capture.logger)
            Issue.record("a wrong password opened the ledger")
        } catch {
            let text = "\(error) \(String(reflecting: error))"
            #expect(text.contains("28P01"), "\(text)")
            #expect(!text.contains(wrong) && !text.contains(server.password))
        }
        #expect(capture.all.allSatisfy { !$0.contains(wrong) && !$0.contains(server.password) })

        let noPassword = try LedgerURL(withoutPassword, environment: [:])
        await #expect(throws: LedgerError.self) { try await Ledger.open(noPassword, logger: StoreChecks.logger) }
    }

    /// Issue #12's figure: PostgreSQL stopped mid-run. Enqueue never waits, overflow is
    /// dropped and counted, one error line is logged (not one per retry), and the writer
    /// reconnects and catches up when the server returns.
    @Test func serverStoppedMidRun() async throws {
        let server = try PostgresServerTrait.server
        let backend = try backend
        let ledger = try await backend.freshLedger()
        let capture = LogCapture()
        let store = try await Ledger.open(ledger, logger: capture.logger)
        let drops = NIOLockedValueBox(0)
        let writer = LedgerWriter(store: store, flushInterval: .milliseconds(200), logger: capture.logger) { count in
            drops.withLockedValue { $0 += count }
        }
        for index in 0..<100 { writer.enqueue(Fixtures.row(Date(), id: "before\(index)")) }
        #expect(try await Fixtures.eventually(within: 5) { writer.writtenCount == 100 })

        await server.stop()
        let start = ContinuousClock.now
        for index in 0..<50_000 { writer.enqueue(Fixtures.row(Date(), id: "during\(index)")) }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(2), "50,000 enqueues took \(elapsed)")
        #expect(writer.droppedCount == 40_000)
        #expect(drops.withLockedValue { $0 } == 40_000)
        // Several retries fail (every 200 ms); one line says so.
        try await Task.sleep(for: .seconds(1.5))
        #expect(capture.count(.error, containing: "ledger write failed") == 1)

        try await server.restart()
        #expect(try await Fixtures.eventually(within: 15) { writer.writtenCount == 10_100 })
        #expect(writer.queuedCount == 0)
        #expect(capture.count(.notice, containing: "ledger writes resumed") == 1)
        writer.enqueue(Fixtures.row(Date(), id: "after"))
        await writer.shutdown()
        #expect(try await backend.scalar("SELECT COUNT(*) FROM requests", in: ledger) == "10101")
        #expect(capture.all.allSatisfy { !$0.contains(server.password) })
        await store.close()
    }

    /// `piapi-usage report` on PostgreSQL: the password from PGPASSWORD works, a wrong one
    /// fails with status 1, and neither ever reaches the output.
    @Test func reportCommand() async throws {
        let server = try PostgresServerTrait.server
        let backend = try backend
        let ledger = try await backend.freshLedger()
        let store = try await Ledger.open(ledger, logger: StoreChecks.logger)
        try await store.insert([Fixtures.row(Fixtures.time("2026-04-15T09:00:00Z"), user: "alice")])
        await store.close()
        let database = String(ledger.split(separator: "/").last!.split(separator: "?")[0])
        let withoutPassword = server.url(database: database, includePassword: false)

        let good = try await UsageCommand.run(
            ["report", "--ledger", withoutPassword, "--by", "user", "--format", "csv"],
            environment: ["PGPASSWORD": server.password])
        #expect(good.status == 0, "\(good.standardError)")
        #expect(good.standardOutput.hasSuffix("alice,1,0,100,10,5,50,20,0.250000\r\n"))

        let wrong = "wrong-\(UUID().uuidString)"
        let bad = try await UsageCommand.run([
            "report", "--ledger", withoutPassword.replacingOccurrences(of: "postgres@", with: "postgres:\(wrong)@"),
        ])
        #expect(bad.status == 1)
        #expect(
            bad.standardError.contains("28P01") && bad.standardError.contains("postgres:***@"), "\(bad.standardError)")
        #expect(!(bad.standardOutput + bad.standardError).contains(wrong))

        let notALedger = try await UsageCommand.run(
            ["report", "--ledger", server.url(database: "postgres", includePassword: false)],
            environment: ["PGPASSWORD": server.password])
        #expect(
            notALedger.status == 1
                && notALedger.standardError.contains("/postgres?sslmode=disable&connect_timeout=60: not a piapi ledger")
        )
        #expect(!(notALedger.standardOutput + notALedger.standardError).contains(server.password))
    }

    /// A server that stops answering (its backend frozen with SIGSTOP) costs one operation
    /// its time limit; the connection is dropped and the next operation gets a fresh one.
    @Test func hungServerTimesOutAndReconnects() async throws {
        let server = try PostgresServerTrait.server
        let ledger = try await backend.freshLedger()
        let database = String(ledger.split(separator: "/").last!.split(separator: "?")[0])
        guard case .postgres(let location) = try LedgerURL(ledger) else {
            throw TestPostgres.Failure(description: "not postgres")
        }
        let store = try await PostgresLedgerStore.open(
            location, mode: .migrate, operationTimeout: .seconds(1), logger: StoreChecks.logger)
        let backendText = try await server.psql("SELECT pid FROM pg_stat_activity WHERE datname = '\(database)'")
        let backendPID = try #require(Int32(backendText))
        kill(backendPID, SIGSTOP)
        defer { kill(backendPID, SIGCONT) }

        let start = ContinuousClock.now
        await #expect(throws: LedgerError.timedOut(operation: "insert")) {
            try await store.insert([Fixtures.row(Date(), id: "during")])
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        try await store.insert([Fixtures.row(Date(), id: "after")])
        kill(backendPID, SIGCONT)
        #expect(try await backend.scalar("SELECT COUNT(*) FROM requests WHERE request_id = 'after'", in: ledger) == "1")
        await store.close()
    }

    /// Shutdown with the server gone gives up after its timeout and counts what it could not
    /// write as dropped.
    @Test func shutdownGivesUpOnADeadServer() async throws {
        let server = try PostgresServerTrait.server
        let ledger = try await backend.freshLedger()
        let store = try await Ledger.open(ledger, logger: StoreChecks.logger)
        let capture = LogCapture()
        let writer = LedgerWriter(store: store, flushInterval: .seconds(600), logger: capture.logger)
        await server.stop()
        for index in 0..<10 { writer.enqueue(Fixtures.row(Date(), id: "lost\(index)")) }
        let start = ContinuousClock.now
        await writer.shutdown(timeout: .seconds(1))
        let elapsed = ContinuousClock.now - start
        try await server.restart()
        #expect(elapsed < .seconds(5), "shutdown took \(elapsed)")
        #expect(writer.droppedCount == 10 && writer.writtenCount == 0 && writer.queuedCount == 0)
        #expect(capture.count(.error, containing: "ledger shutdown: rows not written") == 1)
        await store.close()
    }
}
