import Logging
import NIOConcurrencyHelpers

/// Takes finished requests from the event loops and writes them to the ledger in batches
/// from a task of its own. `enqueue` only appends to a bounded queue under a lock, so a slow
/// or dead database costs the request path nothing: when the queue is full the row is
/// dropped and counted (`piapi_ledger_dropped_total`), and the writer keeps retrying until
/// the database is back. Call `shutdown()` before closing the store.
public final class LedgerWriter: Sendable {
    public let store: any LedgerStore
    /// Rows queued or being written, at most: past it new rows are dropped.
    public let capacity: Int
    private let errorLogInterval: Duration
    private let logger: Logger
    private let onDrop: (@Sendable (Int) -> Void)?
    private let state = NIOLockedValueBox(State())
    private let wakeUp: AsyncStream<Void>.Continuation
    private let tasks = NIOLockedValueBox<[Task<Void, Never>]>([])

    /// Rows per INSERT, and the queue length that wakes the writer before its next tick.
    static let batchSize = LedgerDialect.rowsPerStatement
    /// How often `--ledger-retention` deletes old rows (after once at start).
    static let retentionInterval: Duration = .seconds(3_600)

    private struct State {
        var queue: [LedgerRow] = []
        /// Rows the writer has taken and not yet written; they count against `capacity`.
        var held = 0
        var dropped = 0
        var written = 0
        var closed = false
        var stopDeadline: ContinuousClock.Instant?
        var failing = false
        var lastErrorLog: ContinuousClock.Instant?
        var failuresSinceLog = 0
    }

    /// Starts the writer (and, with `retentionDays` — positive, `--ledger-retention`'s value —
    /// the hourly retention delete, first run now). `onDrop` is called with the number of rows lost each time rows are dropped, from
    /// whatever thread dropped them; keep it as cheap as a counter increment.
    public init(
        store: any LedgerStore, capacity: Int = 10_000, flushInterval: Duration = .seconds(1),
        retentionDays: Int? = nil,
        errorLogInterval: Duration = .seconds(60), logger: Logger, onDrop: (@Sendable (Int) -> Void)? = nil
    ) {
        precondition(capacity > 0, "the ledger queue needs room for at least one row")
        precondition((retentionDays ?? 1) > 0, "a retention of zero days would delete every row")
        self.store = store
        self.capacity = capacity
        self.errorLogInterval = errorLogInterval
        self.logger = logger
        self.onDrop = onDrop
        let (wakeUps, wakeUp) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.wakeUp = wakeUp
        var started = [
            Task { await self.write(wakeUps) },
            Task {
                while (try? await Task.sleep(for: flushInterval)) != nil { wakeUp.yield() }
            },
        ]
        if let retentionDays { started.append(Task { await self.retain(days: retentionDays) }) }
        tasks.withLockedValue { $0 = started }
    }

    /// Queues a row; never waits. Callable from any thread, event loops included.
    public func enqueue(_ row: LedgerRow) {
        let (accepted, wake) = state.withLockedValue { state -> (Bool, Bool) in
            guard !state.closed, state.queue.count + state.held < capacity else {
                state.dropped += 1
                return (false, false)
            }
            state.queue.append(row)
            return (true, state.queue.count == Self.batchSize)
        }
        if !accepted {
            onDrop?(1)
        } else if wake {
            wakeUp.yield()
        }
    }

    /// Rows dropped so far: the queue was full, or shutdown ran out of time.
    public var droppedCount: Int { state.withLockedValue { $0.dropped } }
    /// Rows written so far.
    public var writtenCount: Int { state.withLockedValue { $0.written } }
    /// Rows waiting to be written.
    public var queuedCount: Int { state.withLockedValue { $0.queue.count + $0.held } }

    /// Writes what is queued, giving up after `timeout` (plus at most one database
    /// operation's own limit); rows still unwritten then are counted as dropped and logged.
    /// Rows enqueued afterwards are dropped. Does not close the store.
    public func shutdown(timeout: Duration = .seconds(5)) async {
        let started = tasks.withLockedValue { $0 }
        // The ticker and the retention loop stop at their next sleep or slice.
        for task in started.dropFirst() { task.cancel() }
        state.withLockedValue {
            if $0.stopDeadline == nil { $0.stopDeadline = .now + timeout }
        }
        wakeUp.yield()
        for task in started { await task.value }
    }

    // MARK: - The writer task

    private func write(_ wakeUps: AsyncStream<Void>) async {
        var pending: [LedgerRow] = []
        for await _ in wakeUps {
            guard let deadline = state.withLockedValue({ $0.stopDeadline }) else {
                _ = await drain(&pending)
                continue
            }
            while true {
                let drained = await drain(&pending)
                // Closing in the same lock as the last look at the queue: no row slips in between.
                let lost = state.withLockedValue { state -> Int? in
                    guard (drained && state.queue.isEmpty) || ContinuousClock.now >= deadline else { return nil }
                    state.closed = true
                    let lost = state.queue.count + state.held
                    state.dropped += lost
                    state.queue = []
                    state.held = 0
                    return lost
                }
                guard let lost else {
                    if !drained { try? await Task.sleep(for: .milliseconds(100)) }
                    continue
                }
                if lost > 0 {
                    onDrop?(lost)
                    logger.error(
                        "ledger shutdown: rows not written",
                        metadata: ["ledger": "\(store.location)", "rows": "\(lost)"])
                }
                wakeUp.finish()
                return
            }
        }
    }

    /// Writes batches until the queue is empty (true) or the store fails (false). A failed
    /// batch stays at the front of `pending` and is tried again first.
    private func drain(_ pending: inout [LedgerRow]) async -> Bool {
        while true {
            if pending.isEmpty {
                pending = state.withLockedValue { state in
                    defer { state.queue = [] }
                    state.held += state.queue.count
                    return state.queue
                }
                if pending.isEmpty { return true }
            }
            let batch = Array(pending.prefix(Self.batchSize))
            do {
                try await store.insert(batch)
            } catch {
                reportFailure("write", error)
                return false
            }
            pending.removeFirst(batch.count)
            let (wasFailing, dropped) = state.withLockedValue { state in
                state.held -= batch.count
                state.written += batch.count
                defer { state.failing = false }
                return (state.failing, state.dropped)
            }
            if wasFailing {
                logger.notice(
                    "ledger writes resumed", metadata: ["ledger": "\(store.location)", "dropped_total": "\(dropped)"])
            }
        }
    }

    private func retain(days: Int) async {
        repeat {
            do {
                let deleted = try await store.deleteOlderThan(days: days)
                if deleted > 0 {
                    logger.info(
                        "ledger retention: deleted old rows",
                        metadata: ["ledger": "\(store.location)", "rows": "\(deleted)", "days": "\(days)"])
                }
            } catch {
                reportFailure("retention", error)
            }
        } while (try? await Task.sleep(for: Self.retentionInterval)) != nil
    }

    /// Logs a failure at most once per `errorLogInterval`, with how many were not logged.
    private func reportFailure(_ operation: String, _ error: any Error) {
        let now = ContinuousClock.now
        let report = state.withLockedValue { state -> (queued: Int, dropped: Int, suppressed: Int)? in
            state.failing = state.failing || operation == "write"
            if let last = state.lastErrorLog, now - last < errorLogInterval {
                state.failuresSinceLog += 1
                return nil
            }
            defer {
                state.lastErrorLog = now
                state.failuresSinceLog = 0
            }
            return (state.queue.count + state.held, state.dropped, state.failuresSinceLog)
        }
        guard let report else { return }
        logger.error(
            "ledger \(operation) failed; retrying",
            metadata: [
                "ledger": "\(store.location)", "error": "\(error)", "queued": "\(report.queued)",
                "dropped_total": "\(report.dropped)", "failures_not_logged": "\(report.suppressed)",
            ])
    }
}
