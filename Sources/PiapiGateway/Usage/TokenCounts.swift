/// The five normalised token kinds as one usage object states them (nil: not stated). Kept
/// apart from `UsageReport` because Anthropic streams update it field by field.
struct TokenCounts: Sendable, Equatable {
    var input: Int?
    var cacheRead: Int?
    var cacheWrite: Int?
    var output: Int?
    var reasoning: Int?

    var isEmpty: Bool {
        input == nil && cacheRead == nil && cacheWrite == nil && output == nil && reasoning == nil
    }

    /// Anthropic's `message_delta` usage is cumulative and may state only some fields: each
    /// stated field replaces the earlier value, the others stay as `message_start` gave them.
    func updated(by later: TokenCounts) -> TokenCounts {
        TokenCounts(
            input: later.input ?? input, cacheRead: later.cacheRead ?? cacheRead,
            cacheWrite: later.cacheWrite ?? cacheWrite, output: later.output ?? output,
            reasoning: later.reasoning ?? reasoning)
    }
}
