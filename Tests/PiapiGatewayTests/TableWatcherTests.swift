import Foundation
import Logging
import PiapiGateway
import RouteTable
import Testing

/// Each test serves table A from a file, changes the file the way operators and tools do,
/// and waits for the store to hold table B.
@Suite("TableWatcher")
struct TableWatcherTests {
    let directory: String
    let path: String
    let tableA: TableFixture
    let tableB: TableFixture
    let store: TableStore
    let metrics: GatewayMetrics
    let logs = RecordingLogSink()

    init() throws {
        directory = try TableFixtures.makeDirectory()
        path = directory + "/routes.bin"
        tableA = TableFixture(table: try TableFixtures.table(services: ["codex"]))
        tableB = TableFixture(table: try TableFixtures.table(services: ["codex", "claude"]))
        try TableFile.writeAtomically(tableA.binary, to: path)
        let initial = try TableLoader(path: path, environment: [:]).load()
        store = TableStore(initial)
        metrics = GatewayMetrics()
        metrics.tableInstalled(initial)
    }

    func makeWatcher(path: String? = nil, environment: [String: String] = [:]) -> TableWatcher {
        let logs = self.logs
        let logger = Logger(label: "test") { _ in JSONLogHandler(sink: logs, logLevel: .info) }
        return TableWatcher(
            loader: TableLoader(path: path ?? self.path, environment: environment), store: store,
            metrics: metrics, logger: logger)
    }

    func reloads(_ result: String) -> Double? {
        sample("piapi_config_reloads_total{result=\"\(result)\"}", in: metrics.text())
    }

    func servesB() async -> Bool {
        await eventually { store.current.hash == tableB.hash }
    }

    @Test("an atomic rename is picked up")
    func atomicRename() async throws {
        let watcher = makeWatcher()
        watcher.start()
        defer { watcher.stop() }
        try TableFile.writeAtomically(tableB.binary, to: path)
        #expect(await servesB())
        #expect(reloads("success") == 1)
        #expect(reloads("failure") == 0)
    }

    @Test("an in-place write is picked up")
    func inPlaceWrite() async throws {
        let watcher = makeWatcher()
        watcher.start()
        defer { watcher.stop() }
        try TableFixtures.writeInPlace(tableB.json, to: path)
        #expect(await servesB())
    }

    @Test("delete and recreate is picked up")
    func deleteAndRecreate() async throws {
        let watcher = makeWatcher()
        watcher.start()
        defer { watcher.stop() }
        try FileManager.default.removeItem(atPath: path)
        try await Task.sleep(for: .milliseconds(200))
        #expect(store.current.hash == tableA.hash)
        try TableFile.writeAtomically(tableB.binary, to: path)
        #expect(await servesB())
    }

    @Test("a Kubernetes ConfigMap update (..data symlink swap) is picked up")
    func configMapSymlinkSwap() async throws {
        // dir/routes.bin -> ..data/routes.bin, ..data -> ..2026_11_28_01; an update writes a new
        // timestamped directory and renames a fresh ..data_tmp link over ..data.
        let mount = try TableFixtures.makeDirectory()
        let files = FileManager.default
        try files.createDirectory(atPath: mount + "/..2026_11_28_01", withIntermediateDirectories: false)
        try TableFile.writeAtomically(tableA.binary, to: mount + "/..2026_11_28_01/routes.bin")
        try files.createSymbolicLink(atPath: mount + "/..data", withDestinationPath: "..2026_11_28_01")
        try files.createSymbolicLink(atPath: mount + "/routes.bin", withDestinationPath: "..data/routes.bin")
        let watcher = makeWatcher(path: mount + "/routes.bin")
        watcher.start()
        defer { watcher.stop() }

        try files.createDirectory(atPath: mount + "/..2026_11_28_02", withIntermediateDirectories: false)
        try TableFile.writeAtomically(tableB.binary, to: mount + "/..2026_11_28_02/routes.bin")
        try files.createSymbolicLink(atPath: mount + "/..data_tmp", withDestinationPath: "..2026_11_28_02")
        #expect(rename(mount + "/..data_tmp", mount + "/..data") == 0)
        try files.removeItem(atPath: mount + "/..2026_11_28_01")
        #expect(await servesB())
        #expect(reloads("success") == 1)
    }

    @Test("a change no inotify watch sees (symlink target elsewhere) is found by polling")
    func pollFallback() async throws {
        let elsewhere = try TableFixtures.makeDirectory() + "/real.bin"
        try TableFile.writeAtomically(tableA.binary, to: elsewhere)
        let link = try TableFixtures.makeDirectory() + "/routes.bin"
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: elsewhere)
        let watcher = makeWatcher(path: link)
        watcher.start()
        defer { watcher.stop() }
        try TableFile.writeAtomically(tableB.binary, to: elsewhere)
        #expect(await servesB())
    }

    @Test("a corrupt table keeps the old one, counts one failure, logs one error")
    func corruptTableKeepsOld() async throws {
        let watcher = makeWatcher()
        watcher.start()
        defer { watcher.stop() }
        try TableFile.writeAtomically(Array("garbage, not a table".utf8), to: path)
        #expect(await eventually { reloads("failure") == 1 })
        #expect(store.current.hash == tableA.hash)
        try await Task.sleep(for: .milliseconds(1500))  // a poll or two later: still one failure
        #expect(reloads("failure") == 1)
        let errors = try logs.objects().filter { $0["level"] as? String == "error" }
        #expect(errors.count == 1)
        #expect(errors.first?["table"] as? String == tableA.hash)

        try TableFile.writeAtomically(tableB.binary, to: path)
        #expect(await servesB())
        // The watcher swaps the table in before it counts the success: wait for the count too.
        #expect(await eventually { reloads("success") == 1 })
    }

    @Test("a new table whose ${VAR} holds CR/LF is rejected: the old one keeps serving, the value is never logged")
    func controlCharacterInVariableOnReload() throws {
        let secret = "sk-reload-secret\r\nX-Injected: yes"
        let watcher = makeWatcher(environment: ["PIAPI_RELOAD_KEY": secret])
        let bad = TableFixture(
            table: try TableFixtures.table(services: ["codex", "claude"], variable: "PIAPI_RELOAD_KEY"))
        try TableFile.writeAtomically(bad.binary, to: path)
        guard case .failed = watcher.reload() else {
            Issue.record("a table needing a ${VAR} with CR/LF must not load")
            return
        }
        #expect(store.current.hash == tableA.hash)
        #expect(reloads("failure") == 1)
        #expect(reloads("success") == 0)
        let errors = try logs.objects().filter { $0["level"] as? String == "error" }
        #expect(errors.count == 1)
        #expect((errors.first?["error"] as? String)?.contains("PIAPI_RELOAD_KEY") == true)
        #expect(!logs.text.joined().contains("sk-reload-secret"))
    }

    @Test("reload() reads the file now: half-written fails, complete succeeds, again is unchanged")
    func explicitReload() throws {
        let watcher = makeWatcher()  // not started: only reload() looks at the file
        let bytes = tableB.binary
        try TableFixtures.writeInPlace(Array(bytes.prefix(bytes.count / 2)), to: path)
        guard case .failed = watcher.reload() else {
            Issue.record("a half-written table must not load")
            return
        }
        #expect(store.current.hash == tableA.hash)
        try TableFixtures.writeInPlace(bytes, to: path)
        #expect(watcher.reload() == .reloaded(hash: tableB.hash, routeCount: 2))
        #expect(store.current.hash == tableB.hash)
        #expect(watcher.reload() == .unchanged)
        #expect(reloads("success") == 1)
        #expect(reloads("failure") == 1)
        let info = try #require(try logs.objects().first { $0["message"] as? String == "route table reloaded" })
        #expect(info["table"] as? String == tableB.hash)
        #expect(info["routes"] as? Int == 2)
    }

    @Test("a reload publishes the new table's hash and route count")
    func reloadUpdatesTableInfo() throws {
        let watcher = makeWatcher()
        try TableFile.writeAtomically(tableB.binary, to: path)
        watcher.reload()
        let text = metrics.text()
        #expect(sample("piapi_route_table_info{hash=\"\(tableB.hash)\"}", in: text) == 1)
        #expect(!text.contains(tableA.hash))
        #expect(sample("piapi_route_table_routes", in: text) == 2)
    }
}
