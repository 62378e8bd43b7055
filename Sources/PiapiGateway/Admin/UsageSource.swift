/// What `/api/usage` groups by: any of these, in any order (`by=user,day`).
public enum UsageDimension: String, Sendable, CaseIterable {
    case user
    case service
    case provider
    case key
    case model
    /// The UTC day the request ended, `YYYY-MM-DD`.
    case day
}

/// One `/api/usage` question: from which UTC day on (nil: everything the source has) and
/// grouped by what.
public struct UsageQuery: Sendable, Equatable {
    /// Days since 1970-01-01, inclusive.
    public var sinceDay: Int?
    public var by: [UsageDimension]

    public init(sinceDay: Int? = nil, by: [UsageDimension] = [.user]) {
        self.sinceDay = sinceDay
        self.by = by
    }
}

/// Request, token and cost counts of one group (or of everything).
public struct UsageCounts: Sendable, Equatable {
    public var requests = 0
    /// Requests whose record carried token counts; the token fields cover only these.
    public var requestsWithUsage = 0
    /// Requests answered with a status of 400 or more.
    public var errors = 0
    public var inputTokens = 0
    public var cacheReadTokens = 0
    public var cacheWriteTokens = 0
    public var outputTokens = 0
    public var reasoningTokens = 0
    public var costUSD = 0.0

    public init() {}

    public var totalTokens: Int { inputTokens + cacheReadTokens + cacheWriteTokens + outputTokens }

    public mutating func add(status: Int, usage: RecordedUsage?) {
        requests += 1
        if status >= 400 { errors += 1 }
        guard let usage else { return }
        requestsWithUsage += 1
        inputTokens += max(0, usage.inputTokens)
        cacheReadTokens += max(0, usage.cacheReadTokens)
        cacheWriteTokens += max(0, usage.cacheWriteTokens)
        outputTokens += max(0, usage.outputTokens)
        reasoningTokens += max(0, usage.reasoningTokens)
        costUSD += max(0, usage.costUSD ?? 0)
    }

    public mutating func add(_ other: UsageCounts) {
        requests += other.requests
        requestsWithUsage += other.requestsWithUsage
        errors += other.errors
        inputTokens += other.inputTokens
        cacheReadTokens += other.cacheReadTokens
        cacheWriteTokens += other.cacheWriteTokens
        outputTokens += other.outputTokens
        reasoningTokens += other.reasoningTokens
        costUSD += other.costUSD
    }

    var jsonFields: [(String, AdminJSON)] {
        [
            ("requests", .int(requests)), ("requests_with_usage", .int(requestsWithUsage)), ("errors", .int(errors)),
            ("input_tokens", .int(inputTokens)), ("cache_read_tokens", .int(cacheReadTokens)),
            ("cache_write_tokens", .int(cacheWriteTokens)), ("output_tokens", .int(outputTokens)),
            ("reasoning_tokens", .int(reasoningTokens)), ("total_tokens", .int(totalTokens)),
            ("cost_usd", .double((costUSD * 1e6).rounded() / 1e6)),
        ]
    }
}

/// One group of a usage answer: its value for each dimension asked for (nil: not known, such
/// as the model of a request whose usage was not read) and its counts.
public struct UsageRow: Sendable, Equatable {
    public var group: [UsageDimension: String?]
    public var counts: UsageCounts

    public init(group: [UsageDimension: String?], counts: UsageCounts) {
        self.group = group
        self.counts = counts
    }
}

/// Where `/api/usage` gets its numbers. `AdminActivity` answers from what this replica saw
/// since it started; a ledger-backed source (every replica, across restarts) can take its
/// place by conforming to this and being passed to `AdminAPI`.
public protocol AdminUsageSource: Sendable {
    /// Shown as `source` in the answer: `memory`, `ledger`, …
    var usageSourceName: String { get }
    /// The groups asked for, in any order (the API sorts them).
    func usage(_ query: UsageQuery) async throws -> [UsageRow]
}
