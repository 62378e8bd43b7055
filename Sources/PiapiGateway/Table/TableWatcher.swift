import Dispatch
import Glibc
import Logging
import NIOCore

/// Keeps the served table in step with its file: inotify on the file's directory (so in-place
/// writes, atomic renames, delete + recreate and Kubernetes `..data` symlink swaps all wake it),
/// a poll of the resolved file's identity as a fallback, and `reload()` for SIGHUP. A good new
/// table is swapped into `store` whole; a bad one is counted and logged and changes nothing.
///
/// All mutable state is confined to `queue`, which is also where tables are decoded, so no
/// event loop ever waits for a reload; that confinement is why the class is `@unchecked Sendable`.
public final class TableWatcher: @unchecked Sendable {
    private let loader: TableLoader
    private let store: TableStore
    private let metrics: GatewayMetrics
    private let logger: Logger
    private let pollInterval: DispatchTimeInterval
    private let settleDelay: DispatchTimeInterval
    private let onOutcome: (@Sendable (TableReloadOutcome) -> Void)?
    private let queue = DispatchQueue(label: "piapi.table-watcher")

    // Confined to `queue`.
    private var lastSeen: FileFingerprint?
    private var lastFailure: (fingerprint: FileFingerprint?, error: TableLoadError)?
    private var checkPending = false
    private var sources: [any DispatchSourceProtocol] = []

    /// - Parameters:
    ///   - pollInterval: how often the file's identity is checked when no event arrives.
    ///   - settleDelay: how long to wait after a file event so a burst is read once.
    ///   - onOutcome: told of every reload that is reported (a new table, a failure logged,
    ///     an unchanged table on SIGHUP), on the watcher's queue: the admin side's history.
    public init(
        loader: TableLoader, store: TableStore, metrics: GatewayMetrics, logger: Logger,
        pollInterval: TimeAmount = .seconds(1), settleDelay: TimeAmount = .milliseconds(50),
        onOutcome: (@Sendable (TableReloadOutcome) -> Void)? = nil
    ) {
        self.loader = loader
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.pollInterval = .nanoseconds(Int(pollInterval.nanoseconds))
        self.settleDelay = .nanoseconds(Int(settleDelay.nanoseconds))
        self.onOutcome = onOutcome
    }

    /// Starts watching. Without inotify (or if the directory cannot be watched) polling alone
    /// still notices every change, only later.
    public func start() {
        queue.sync {
            guard sources.isEmpty else { return }
            // Unknown on purpose: the first poll reads the file once, so a change made between
            // the start-up load and this call is not missed (an equal table is not reloaded).
            lastSeen = nil
            if let events = makeDirectorySource() { sources.append(events) }
            let poll = DispatchSource.makeTimerSource(queue: queue)
            poll.schedule(deadline: .now() + pollInterval, repeating: pollInterval)
            poll.setEventHandler { [weak self] in self?.check(forced: false, afterEvent: false) }
            poll.resume()
            sources.append(poll)
        }
    }

    /// Stops watching; a reload already running finishes first.
    public func stop() {
        queue.sync {
            for source in sources { source.cancel() }
            sources = []
        }
    }

    /// Reads the file now, whatever its identity says (SIGHUP, tests), and reports the result.
    @discardableResult
    public func reload() -> TableReloadOutcome {
        queue.sync { check(forced: true, afterEvent: false) }
    }

    /// An inotify descriptor watching the directory holding the table path, read by a
    /// dispatch source that schedules a check once events settle.
    private func makeDirectorySource() -> (any DispatchSourceProtocol)? {
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { return nil }
        // No IN_MODIFY: a log file or anything else written line by line in the same directory
        // would wake the watcher on every write. A finished in-place write shows up as
        // IN_CLOSE_WRITE, and the 1 s poll catches a writer that keeps the file open.
        let mask = UInt32(
            IN_CREATE | IN_DELETE | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO
                | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF)
        guard inotify_add_watch(descriptor, Self.directory(of: loader.path), mask) >= 0 else {
            close(descriptor)
            return nil
        }
        let source = DispatchSource.makeReadSource(fileDescriptor: descriptor, queue: queue)
        source.setEventHandler { [weak self] in
            Self.drain(descriptor)
            self?.scheduleCheck()
        }
        source.setCancelHandler { close(descriptor) }
        source.resume()
        return source
    }

    private func scheduleCheck() {
        guard !checkPending else { return }
        checkPending = true
        queue.asyncAfter(deadline: .now() + settleDelay) { [weak self] in
            guard let self else { return }
            checkPending = false
            check(forced: false, afterEvent: true)
        }
    }

    /// Loads the file if it may have changed and swaps it in if it is good and new. A poll
    /// trusts the file's identity; after a file event an unchanged identity is trusted only
    /// once the file has settled (two quick writes can leave size and mtime alike); `reload()`
    /// always reads. A failure already reported for the same file is not reported again.
    @discardableResult
    private func check(forced: Bool, afterEvent: Bool) -> TableReloadOutcome {
        let fingerprint = FileFingerprint(path: loader.path)
        if !forced, fingerprint == lastSeen, !afterEvent || fingerprint?.isSettled != false {
            return .unchanged
        }
        lastSeen = fingerprint
        let table: ServingTable
        do {
            table = try loader.load()
        } catch {
            let repeated = !forced && lastFailure.map { $0.fingerprint == fingerprint && $0.error == error } == true
            lastFailure = (fingerprint, error)
            if !repeated {
                metrics.reloadFailed()
                logger.error(
                    "route table reload failed, keeping the current table",
                    metadata: [
                        "error": "\(error.description)", "table": "\(store.current.hash)",
                    ])
                onOutcome?(.failed(error))
            }
            return .failed(error)
        }
        lastFailure = nil
        guard table.hash != store.current.hash else {
            if forced {
                logger.info("route table unchanged", metadata: ["table": "\(table.hash)"])
                onOutcome?(.unchanged)
            }
            return .unchanged
        }
        store.replace(with: table)
        metrics.tableInstalled(table)
        metrics.reloadSucceeded()
        logger.info(
            "route table reloaded",
            metadata: [
                "table": "\(table.hash)", "routes": .stringConvertible(table.table.routeCount),
                "path": "\(loader.path)",
            ])
        let outcome = TableReloadOutcome.reloaded(hash: table.hash, routeCount: table.table.routeCount)
        onOutcome?(outcome)
        return outcome
    }

    private static func drain(_ descriptor: Int32) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while buffer.withUnsafeMutableBytes({ read(descriptor, $0.baseAddress, $0.count) }) > 0 {}
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
