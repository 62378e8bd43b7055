/// The tokens and cost of one request as the admin side counts them.
public struct RecordedUsage: Sendable, Equatable {
    /// The model that answered, when the response said.
    public var model: String?
    /// Input tokens not read from cache.
    public var inputTokens: Int
    public var cacheReadTokens: Int
    public var cacheWriteTokens: Int
    /// All output tokens, reasoning included.
    public var outputTokens: Int
    /// The part of `outputTokens` spent reasoning (not added to the total).
    public var reasoningTokens: Int
    /// From the table's prices; nil when the model has no price.
    public var costUSD: Double?

    public init(
        model: String? = nil, inputTokens: Int = 0, cacheReadTokens: Int = 0, cacheWriteTokens: Int = 0,
        outputTokens: Int = 0, reasoningTokens: Int = 0, costUSD: Double? = nil
    ) {
        self.model = model
        self.inputTokens = inputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.outputTokens = outputTokens
        self.reasoningTokens = reasoningTokens
        self.costUSD = costUSD
    }

    /// What a request record says, when its response's usage was read; nil otherwise.
    public init?(_ record: RequestRecord) {
        guard let usage = record.usage, usage.unknownReason == nil else { return nil }
        self.init(
            model: usage.model, inputTokens: usage.input ?? 0, cacheReadTokens: usage.cacheRead ?? 0,
            cacheWriteTokens: usage.cacheWrite ?? 0, outputTokens: usage.output ?? 0,
            reasoningTokens: usage.reasoning ?? 0, costUSD: record.costUSD)
    }

    /// Every token counted once: input, cache reads and writes, output.
    public var totalTokens: Int { inputTokens + cacheReadTokens + cacheWriteTokens + outputTokens }

    var json: AdminJSON {
        .object([
            ("model", .string(model)),
            ("input_tokens", .int(inputTokens)),
            ("cache_read_tokens", .int(cacheReadTokens)),
            ("cache_write_tokens", .int(cacheWriteTokens)),
            ("output_tokens", .int(outputTokens)),
            ("reasoning_tokens", .int(reasoningTokens)),
            ("total_tokens", .int(totalTokens)),
            ("cost_usd", .double(costUSD)),
        ])
    }
}
