import Foundation
import PiapiTestSupport
import RouteTable
import Testing

/// An SQLite ledger has one writer, yet its totals are re-read like a shared ledger's: a user
/// whose key changes in a reload gets new counters (they are kept by key), and without the
/// re-read that user's budget would start from zero until the next restart.
@Suite("piapi-serve on an SQLite ledger across a reload")
struct ServeSQLiteLedgerReloadTests {
    static let oldKey = "piapi-e2e-sqlite-old-key"
    static let newKey = "piapi-e2e-sqlite-new-key"

    static func table(mockPort: Int, key: String) throws -> RouteTable {
        let base = try ServeSharedLedgerTests.table(mockPort: mockPort)
        let budget = base.users.first { $0.name == "budget-user" }!
        return try RouteTable(
            targets: base.targets,
            users: [
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: key), name: "budget-user", routes: budget.routes, limits: budget.limits)
            ], prices: base.prices)
    }

    @Test("a user given a new key by a reload keeps the day's spend from the ledger")
    func newKeyKeepsSpend() async throws {
        let ledger = "sqlite:" + (try ServeProcess.makeDirectory()) + "/ledger.sqlite"
        let replica = try await ServeSharedLedgerTests.Replica.start(
            ledger: ledger, table: { try Self.table(mockPort: $0, key: Self.oldKey) })
        do {
            #expect(try await replica.chat(Self.oldKey).status == 200)
            let written = try await ServeSharedLedgerTests.waitUntil(within: 20) {
                try await replica.tokensToday("budget-user") == ServeSharedLedgerTests.answerTokens
            }
            #expect(written != nil)

            let mockPort = replica.running.mockPort
            try TableFile.writeAtomically(
                TableFile.encode(try Self.table(mockPort: mockPort, key: Self.newKey), as: .binary),
                to: replica.running.tablePath)
            let reloaded = try await ServeSharedLedgerTests.waitUntil(within: 20) {
                try await replica.chat(Self.newKey).status != 401
            }
            #expect(reloaded != nil)
            // The new key's counters start at 0 and take the ledger's 1,500 (plus whatever the
            // probing chat above spent) within a flush and a refresh.
            let carried = try await ServeSharedLedgerTests.waitUntil(within: 20) {
                (try await replica.tokensToday("budget-user") ?? 0) >= 2 * ServeSharedLedgerTests.answerTokens
            }
            #expect(carried != nil, "the budget of the user's new key ignored the ledger's earlier spend")
        } catch {
            await replica.stop()
            throw error
        }
        await replica.stop()
    }
}
