import NIOConcurrencyHelpers

/// What the admin side learns from the requests themselves, fed from `GatewayTelemetry` (the
/// same place the request log line is written): requests in flight, the ring of recent
/// requests, request/token/cost totals by day, and each (provider, key) pair's recent tries.
/// One short lock round per request start and end; nothing here does I/O.
public final class AdminActivity: RequestObserver, AdminUsageSource {
    /// Days of usage totals kept: a replica up for longer forgets the oldest days.
    public static let usageDays = 62
    /// Distinct model names counted apart; later ones are counted as `other`.
    public static let maxModels = 64
    public static let otherModel = "other"

    private let wallSeconds: @Sendable () -> Double
    private let usageOf: @Sendable (RequestRecord) -> RecordedUsage?
    private let state: NIOLockedValueBox<State>

    private struct State: Sendable {
        var inFlight = 0
        var recent: RecentRequests
        var usage: [UsageKey: UsageCounts] = [:]
        var newestDay = Int.min
        var models: Set<String> = []
        var rates: [CandidatePair: CandidateErrorRate] = [:]
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
    ///   - usageOf: reads a record's tokens and cost (tests may count requests only).
    public init(recentCapacity: Int, wallSeconds: @escaping @Sendable () -> Double = FailoverClock.system.wallSeconds,
                usageOf: @escaping @Sendable (RequestRecord) -> RecordedUsage? = { RecordedUsage($0) }) {
        self.wallSeconds = wallSeconds
        self.usageOf = usageOf
        state = NIOLockedValueBox(State(recent: RecentRequests(capacity: recentCapacity)))
    }

    // MARK: - RequestObserver

    public func requestStarted() {
        state.withLockedValue { $0.inFlight += 1 }
    }

    public func requestFinished(_ record: RequestRecord, tableHash: String) {
        let now = wallSeconds()
        let usage = usageOf(record)
        let entry = RecentRequest(record: record, finishedAt: now, table: ReloadHistory.prefix(tableHash), usage: usage)
        let day = UTCCalendar.day(now)
        state.withLockedValue { state in
            state.inFlight = max(0, state.inFlight - 1)
            state.recent.append(entry)
            for attempt in record.attempts {
                state.rates[CandidatePair(provider: attempt.provider, key: attempt.key), default: CandidateErrorRate()]
                    .record(attempt.outcome, at: now)
            }
            guard let user = record.user else { return }
            if day > state.newestDay {
                state.newestDay = day
                let oldest = day - Self.usageDays + 1
                if state.usage.keys.contains(where: { $0.day < oldest }) {
                    state.usage = state.usage.filter { $0.key.day >= oldest }
                }
            }
            let key = UsageKey(day: day, user: user, service: record.serviceType, provider: record.upstreamProvider,
                               key: record.upstreamKey, model: usage?.model.map { Self.modelLabel($0, in: &state.models) })
            state.usage[key, default: UsageCounts()].add(status: record.status, usage: usage)
        }
    }

    /// A model name as a group value: one of the first `maxModels` seen, else `other`.
    private static func modelLabel(_ model: String, in models: inout Set<String>) -> String {
        if models.contains(model) { return model }
        guard models.count < maxModels, model.utf8.count <= 128 else { return otherModel }
        models.insert(model)
        return model
    }

    // MARK: - Reading

    /// Requests being served now (accepted, not yet finished).
    public var inFlight: Int { state.withLockedValue { $0.inFlight } }

    public var recentCapacity: Int { state.withLockedValue { $0.recent.capacity } }

    /// Matching recent requests, newest first.
    public func recent(_ filter: RecentRequestFilter) -> [RecentRequest] {
        state.withLockedValue { $0.recent.newestFirst(filter) }
    }

    /// The recent record of every pair that has been tried since start.
    public func errorRates() -> [CandidatePair: CandidateErrorRate] {
        state.withLockedValue { $0.rates }
    }

    // MARK: - AdminUsageSource

    public var usageSourceName: String { "memory" }

    public func usage(_ query: UsageQuery) async throws -> [UsageRow] {
        let buckets = state.withLockedValue { state in
            query.sinceDay.map { since in state.usage.filter { $0.key.day >= since } } ?? state.usage
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
