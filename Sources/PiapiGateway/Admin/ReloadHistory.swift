import NIOConcurrencyHelpers

/// The last reloads of the route table and when the table being served was installed, fed by
/// `TableWatcher`'s outcome callback. Hashes are kept as a short prefix only.
public final class ReloadHistory: Sendable {
    /// Reloads kept.
    public static let capacity = 20
    /// Characters of a table hash shown anywhere on the admin side.
    public static let hashPrefixLength = 12

    public struct Entry: Sendable, Equatable {
        /// Seconds since 1970.
        public var time: Double
        /// `success`, `failure` or `unchanged` (SIGHUP with the same table).
        public var result: String
        /// The new table's hash prefix (success).
        public var hash: String?
        /// Why the file was refused (failure): names the file or a variable, never a value.
        public var error: String?
    }

    private let wallSeconds: @Sendable () -> Double
    private let state: NIOLockedValueBox<(entries: [Entry], loadedAt: Double)>

    /// `loadedAt` is when the start-up table was loaded.
    public init(loadedAt: Double, wallSeconds: @escaping @Sendable () -> Double = FailoverClock.system.wallSeconds) {
        self.wallSeconds = wallSeconds
        state = NIOLockedValueBox(([], loadedAt))
    }

    public static func prefix(_ hash: String) -> String { String(hash.prefix(hashPrefixLength)) }

    /// Notes one reported reload outcome (the `TableWatcher` callback).
    public func record(_ outcome: TableReloadOutcome) {
        let now = wallSeconds()
        let entry: Entry
        switch outcome {
        case .reloaded(let hash, _): entry = Entry(time: now, result: "success", hash: Self.prefix(hash))
        case .unchanged: entry = Entry(time: now, result: "unchanged")
        case .failed(let error): entry = Entry(time: now, result: "failure", error: error.description)
        }
        state.withLockedValue { state in
            if case .reloaded = outcome { state.loadedAt = now }
            state.entries.append(entry)
            if state.entries.count > Self.capacity { state.entries.removeFirst(state.entries.count - Self.capacity) }
        }
    }

    /// Newest first.
    public var entries: [Entry] { state.withLockedValue { $0.entries.reversed() } }

    /// When the table being served was installed, seconds since 1970.
    public var loadedAt: Double { state.withLockedValue { $0.loadedAt } }
}
