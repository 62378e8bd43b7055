/// One group of a usage report.
public struct UsageReportRow: Sendable, Equatable {
    /// One value per `UsageQuery.groupBy` dimension; nil where the rows had none (e.g. a
    /// request refused before a user was known).
    public var group: [String?]
    public var requests: Int
    /// Requests answered with status ≥ 400.
    public var errors: Int
    public var inputTokens: Int
    public var cacheReadTokens: Int
    public var cacheWriteTokens: Int
    public var outputTokens: Int
    public var reasoningTokens: Int
    /// nil when no request in the group had a price.
    public var costUSD: Double?

    public init(
        group: [String?], requests: Int, errors: Int = 0, inputTokens: Int = 0, cacheReadTokens: Int = 0,
        cacheWriteTokens: Int = 0, outputTokens: Int = 0, reasoningTokens: Int = 0, costUSD: Double? = nil
    ) {
        self.group = group
        self.requests = requests
        self.errors = errors
        self.inputTokens = inputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.outputTokens = outputTokens
        self.reasoningTokens = reasoningTokens
        self.costUSD = costUSD
    }

    /// The sum of two groups, for the report's total line.
    func adding(_ other: UsageReportRow) -> UsageReportRow {
        UsageReportRow(
            group: group, requests: requests + other.requests, errors: errors + other.errors,
            inputTokens: inputTokens + other.inputTokens, cacheReadTokens: cacheReadTokens + other.cacheReadTokens,
            cacheWriteTokens: cacheWriteTokens + other.cacheWriteTokens,
            outputTokens: outputTokens + other.outputTokens,
            reasoningTokens: reasoningTokens + other.reasoningTokens,
            costUSD: costUSD.map { $0 + (other.costUSD ?? 0) } ?? other.costUSD
        )
    }
}
