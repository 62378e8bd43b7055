/// The usage of one response, normalised across dialects so that every token is counted once:
/// `input` excludes what was read from cache, and `reasoning` is the part of `output` spent
/// thinking, never an addition to it. This is what the log line, metrics, ledger and budgets
/// consume; it holds no body bytes.
public struct UsageReport: Sendable, Equatable {
    /// The response's own `model` (what actually answered, not what was asked for).
    public var model: String?
    public var dialect: UsageDialect?
    /// Input tokens not read from cache: OpenAI `prompt_tokens − cached_tokens` (Chat) or
    /// `input_tokens − cached_tokens` (Responses); Anthropic `input_tokens`.
    public var input: Int?
    /// OpenAI `cached_tokens`; Anthropic `cache_read_input_tokens`.
    public var cacheRead: Int?
    /// Anthropic `cache_creation_input_tokens`; nil for OpenAI (it has no cache write).
    public var cacheWrite: Int?
    /// All output tokens, reasoning included.
    public var output: Int?
    /// The part of `output` spent reasoning (OpenAI `reasoning_tokens`); nil for Anthropic.
    public var reasoning: Int?
    /// The response did not run to its end (client abort, upstream cut, undecodable tail):
    /// the counts are the usage seen so far.
    public var partial: Bool
    /// Set exactly when no usage could be told; the counts, model and dialect are then nil.
    public var unknownReason: UsageUnknownReason?

    public init(
        model: String? = nil, dialect: UsageDialect? = nil, input: Int? = nil, cacheRead: Int? = nil,
        cacheWrite: Int? = nil, output: Int? = nil, reasoning: Int? = nil, partial: Bool = false,
        unknownReason: UsageUnknownReason? = nil
    ) {
        self.model = model
        self.dialect = dialect
        self.input = input
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
        self.output = output
        self.reasoning = reasoning
        self.partial = partial
        self.unknownReason = unknownReason
    }

    /// A report that says only why usage is unknown.
    public static func unknown(_ reason: UsageUnknownReason, partial: Bool) -> UsageReport {
        UsageReport(partial: partial, unknownReason: reason)
    }
}
