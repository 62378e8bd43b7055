import Foundation
import NIOConcurrencyHelpers
import PiapiLedger
import SQLiteNIO
import Testing

/// The ledger on real SQLite files in a temporary directory.
@Suite("SQLite ledger", .serialized)
struct SQLiteLedgerTests {
    let backend: SQLiteBackend

    init() throws { backend = try SQLiteBackend() }

    @Test func migratesOnceAndReopens() async throws {
        defer { backend.remove() }
        try await StoreChecks.migratesOnceAndReopens(backend)
    }

    @Test func refusesNewerSchemaAndNonLedgers() async throws {
        defer { backend.remove() }
        try await StoreChecks.refusesNewerSchemaAndNonLedgers(backend)
    }

    @Test func storesRowsAsGiven() async throws {
        defer { backend.remove() }
        try await StoreChecks.storesRowsAsGiven(backend)
    }

    @Test func totalsFollowUTCDaysAndMonths() async throws {
        defer { backend.remove() }
        try await StoreChecks.totalsFollowUTCDaysAndMonths(backend)
    }

    @Test func reportsGroupsAndRanges() async throws {
        defer { backend.remove() }
        try await StoreChecks.reportsGroupsAndRanges(backend)
    }

    @Test func retentionDeletesOldRows() async throws {
        defer { backend.remove() }
        try await StoreChecks.retentionDeletesOldRows(backend)
    }

    @Test func writesBatchesWithinASecond() async throws {
        defer { backend.remove() }
        try await StoreChecks.writesBatchesWithinASecond(backend)
    }

    @Test func shutdownFlushesTheQueue() async throws {
        defer { backend.remove() }
        try await StoreChecks.shutdownFlushesTheQueue(backend)
    }

    @Test func fileIsInWALMode() async throws {
        defer { backend.remove() }
        let ledger = try await backend.freshLedger()
        try await Ledger.open(ledger, logger: StoreChecks.logger).close()
        let header = try Data(contentsOf: URL(fileURLWithPath: String(ledger.dropFirst("sqlite:".count)))).prefix(20)
        // Bytes 18 and 19 of an SQLite header are the write and read versions: 2 means WAL.
        #expect(Array(header.suffix(2)) == [2, 2])
    }

    @Test func reportingNeverCreatesAFile() async throws {
        defer { backend.remove() }
        let path = backend.directory.appendingPathComponent("missing.db").path
        await #expect(throws: LedgerError.noSuchLedger) {
            try await Ledger.open("sqlite:\(path)", mode: .existing, logger: StoreChecks.logger)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    /// Another process holds the write lock: enqueue stays instant, the bounded queue drops
    /// and counts, and everything queued is written once the lock goes.
    @Test func lockedFileDropsButNeverBlocks() async throws {
        defer { backend.remove() }
        let ledger = try await backend.freshLedger()
        let store = try await Ledger.open(ledger, logger: StoreChecks.logger)
        let drops = NIOLockedValueBox(0)
        let writer = LedgerWriter(
            store: store, capacity: 1_000, flushInterval: .milliseconds(100), logger: StoreChecks.logger
        ) {
            count in drops.withLockedValue { $0 += count }
        }
        let locker = try await SQLiteConnection.open(storage: .file(path: String(ledger.dropFirst("sqlite:".count))))
        _ = try await locker.query("BEGIN EXCLUSIVE")

        let start = ContinuousClock.now
        for index in 0..<50_000 { writer.enqueue(Fixtures.row(Date(), id: "l\(index)")) }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed < .seconds(2), "50,000 enqueues took \(elapsed)")
        #expect(writer.droppedCount == 49_000)
        #expect(drops.withLockedValue { $0 } == 49_000)
        #expect(writer.queuedCount == 1_000)

        _ = try await locker.query("COMMIT")
        try await locker.close()
        #expect(try await Fixtures.eventually(within: 15) { writer.writtenCount == 1_000 })
        #expect(try await backend.scalar("SELECT COUNT(*) FROM requests", in: ledger) == "1000")
        await writer.shutdown()
        await store.close()
    }
}
