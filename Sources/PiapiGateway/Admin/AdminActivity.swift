import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// What the admin side learns from the requests themselves, fed from `GatewayTelemetry` (the
/// same place the request log line is written): requests in flight, the ring of recent
/// requests and request/token/cost totals by day. Nothing here does I/O.
///
/// Every event loop finishes requests here, so the state is split into shards, one per
/// thread that reports (assigned on first use, round robin): a request takes only its own
/// thread's lock and two loops never wait for each other on the hot path. The readers — a
/// few admin calls a second — take every shard's lock in turn and merge.
public final class AdminActivity: RequestObserver, AdminUsageSource {
    /// Days of usage totals kept: a replica up for longer forgets the oldest days.
    public static let usageDays = 62
    /// Distinct model names counted apart; later ones are counted as `other`.
    public static let maxModels = 64
    public static let otherModel = "other"

    public let recentCapacity: Int
    private let wallSeconds: @Sendable () -> Double
    private let usageOf: @Sendable (RequestRecord) -> RecordedUsage?
    private let shards: [NIOLockedValueBox<Shard>]
    private let shardOfThread = ThreadSpecificVariable<ShardIndex>()
    private let nextShard = NIOLockedValueBox(0)
    /// Model names counted apart, shared by the shards so that they agree on which are; a
    /// shard asks here once per name (then its own copy answers).
    private let models = NIOLockedValueBox(Set<String>())

    private final class ShardIndex: Sendable {
        let value: Int
        init(_ value: Int) { self.value = value }
    }

    private struct Shard: Sendable {
        /// Started minus finished on this shard's thread; only the sum over shards means anything.
        var inFlight = 0
        /// Each shard keeps the full capacity: the newest requests overall may all be one loop's.
        var recent: RecentRequests
        var usage: [UsageKey: UsageCounts] = [:]
        var newestDay = Int.min
        /// The model names this shard already learned are counted apart (at most `maxModels`;
        /// a name counted as `other` is asked about again each time, which stays bounded).
        var labels: Set<String> = []

        /// Adds a request of a known user to its day's bucket, forgetting days past `usageDays`.
        mutating func add(_ record: RequestRecord, _ recorded: RecordedUsage?, day: Int, model: String?) {
            if day > newestDay {
                newestDay = day
                let oldest = day - AdminActivity.usageDays + 1
                if usage.keys.contains(where: { $0.day < oldest }) {
                    usage = usage.filter { $0.key.day >= oldest }
                }
            }
            let key = UsageKey(
                day: day, user: record.user, service: record.serviceType,
                provider: record.upstreamProvider, key: record.upstreamKey, model: model)
            usage[key, default: UsageCounts()].add(status: record.status, usage: recorded)
        }
    }

    /// Every dimension of one usage bucket.
    private struct UsageKey: Hashable, Sendable {
        var day: Int
        var user: String?
        var service: String?
        var provider: String?
        var key: String?
        var model: String?
    }

    /// - Parameters:
    ///   - recentCapacity: how many finished requests `/api/requests` keeps (`--admin-recent`).
    ///   - shards: how many threads report without sharing a lock (the event-loop count).
    ///   - usageOf: reads a record's tokens and cost (tests may count requests only).
    public init(
        recentCapacity: Int, shards: Int = System.coreCount,
        wallSeconds: @escaping @Sendable () -> Double = FailoverClock.system.wallSeconds,
        usageOf: @escaping @Sendable (RequestRecord) -> RecordedUsage? = { RecordedUsage($0) }
    ) {
        self.recentCapacity = max(0, recentCapacity)
        self.wallSeconds = wallSeconds
        self.usageOf = usageOf
        self.shards = (0..<max(1, shards)).map { _ in
            NIOLockedValueBox(Shard(recent: RecentRequests(capacity: recentCapacity)))
        }
    }

    /// This thread's shard.
    private var shard: NIOLockedValueBox<Shard> {
        if shards.count == 1 { return shards[0] }
        if let index = shardOfThread.currentValue { return shards[index.value] }
        let index = nextShard.withLockedValue { next in
            defer { next = (next + 1) % shards.count }
            return next
        }
        shardOfThread.currentValue = ShardIndex(index)
        return shards[index]
    }

    // MARK: - RequestObserver

    public func requestStarted() {
        shard.withLockedValue { $0.inFlight += 1 }
    }

    public func requestFinished(_ record: RequestRecord, tableHash: String) {
        let now = wallSeconds()
        let usage = usageOf(record)
        let entry = RecentRequest(record: record, finishedAt: now, table: ReloadHistory.prefix(tableHash), usage: usage)
        let day = UTCCalendar.day(now)
        let shard = shard
        let unlabelled = shard.withLockedValue { shard -> String? in
            shard.inFlight -= 1
            shard.recent.append(entry)
            guard record.user != nil else { return nil }
            if let model = usage?.model, !shard.labels.contains(model) { return model }
            shard.add(record, usage, day: day, model: usage?.model)
            return nil
        }
        guard let model = unlabelled else { return }
        let label = modelLabel(model)
        shard.withLockedValue { shard in
            if label == model { shard.labels.insert(model) }
            shard.add(record, usage, day: day, model: label)
        }
    }

    /// A model name as a group value: one of the first `maxModels` seen, else `other`.
    private func modelLabel(_ model: String) -> String {
        models.withLockedValue { models in
            if models.contains(model) { return model }
            guard models.count < Self.maxModels, model.utf8.count <= 128 else { return Self.otherModel }
            models.insert(model)
            return model
        }
    }

    // MARK: - Reading

    /// Requests being served now (accepted, not yet finished).
    public var inFlight: Int {
        max(0, shards.reduce(0) { sum, shard in sum + shard.withLockedValue(\.inFlight) })
    }

    /// Matching requests among the last `recentCapacity` finished, newest first. With several
    /// shards the newest `recentCapacity` of all of them are merged first, so that a quiet
    /// loop's ring does not keep older requests visible.
    public func recent(_ filter: RecentRequestFilter) -> [RecentRequest] {
        guard shards.count > 1 else { return shards[0].withLockedValue { $0.recent.newestFirst(filter) } }
        let everything = RecentRequestFilter(limit: recentCapacity)
        let newest = shards.flatMap { shard in shard.withLockedValue { $0.recent.newestFirst(everything) } }
            .sorted { $0.finishedAt > $1.finishedAt }
            .prefix(recentCapacity)
        return Array(newest.lazy.filter(filter.matches).prefix(filter.limit))
    }

    // MARK: - AdminUsageSource

    public var usageSourceName: String { "memory" }

    public func usage(_ query: UsageQuery) async throws -> [UsageRow] {
        let buckets = shards.flatMap { shard in
            shard.withLockedValue { shard in
                query.sinceDay.map { since in shard.usage.filter { $0.key.day >= since } } ?? shard.usage
            }
        }
        var groups: [[String?]: UsageCounts] = [:]
        for (key, counts) in buckets {
            let group = query.by.map { dimension -> String? in
                switch dimension {
                case .user: key.user
                case .service: key.service
                case .provider: key.provider
                case .key: key.key
                case .model: key.model
                case .day: AdminJSON.dayText(key.day)
                }
            }
            groups[group, default: UsageCounts()].add(counts)
        }
        return groups.map { values, counts in
            UsageRow(group: Dictionary(uniqueKeysWithValues: zip(query.by, values)), counts: counts)
        }
    }
}
