import Foundation
import Glibc
import PiapiGateway
import RouteTable
import Testing

@Suite("ProcessSignals")
struct ProcessSignalsTests {
    /// SIGHUP is the only signal sent here: the test runner shares this process, and once
    /// `ProcessSignals` exists SIGHUP can no longer terminate it.
    @Test("SIGHUP reaches the reload handler, which swaps the table in")
    func hangUpReloads() async throws {
        let path = try TableFixtures.makeDirectory() + "/routes.bin"
        try TableFile.writeAtomically(
            TableFile.encode(try TableFixtures.table(services: ["codex"]), as: .binary), to: path)
        let store = TableStore(try TableLoader(path: path, environment: [:]).load())
        let watcher = TableWatcher(
            loader: TableLoader(path: path, environment: [:]), store: store,
            metrics: GatewayMetrics(),
            logger: .init(label: "test") { _ in
                JSONLogHandler(sink: RecordingLogSink())
            })
        let signals = ProcessSignals(
            onTerminate: { _ in Issue.record("SIGHUP must not terminate") },
            onReload: { watcher.reload() })
        defer { signals.cancel() }

        let next = try TableFixtures.table(services: ["codex", "claude"])
        try TableFile.writeAtomically(TableFile.encode(next, as: .binary), to: path)
        // Sent until seen: libdispatch arms a signal source asynchronously after `resume()`, and
        // a SIGHUP that arrives before that is ignored (a loaded parallel run showed it). 30 s:
        // the source's handler runs on a dispatch thread, and CPU-bound suites of a parallel run
        // can hold dispatch's few threads for 15 s and more.
        #expect(
            await eventually(within: 30) {
                guard store.current.hash != next.contentHash else { return true }
                kill(getpid(), SIGHUP)
                return false
            })
    }
}
