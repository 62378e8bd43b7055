/// Why a response's usage could not be told: short, stable raw values meant as the `reason`
/// label of `piapi_usage_unknown_total`, so the set stays small and closed.
public enum UsageUnknownReason: String, Sendable, Hashable, CaseIterable {
    /// The status is not 2xx; the body is not inspected (error bodies carry no usage).
    case status
    /// The content type is neither JSON nor `text/event-stream`, or a JSON-labelled body does
    /// not even start like JSON (binary, HTML).
    case notJSON = "not_json"
    /// A `Content-Encoding` other than `identity`, `gzip`, `x-gzip` or `deflate`, or several.
    case encoding
    /// The gzip/deflate body could not be inflated.
    case decodeError = "decode_error"
    /// A JSON body over `UsageTap.maxJSONBodyBytes`, or an SSE event or WebSocket message over
    /// `UsageTap.maxEventBytes`, whose usage the `OversizedEventScanner` could not keep (none,
    /// or over its cap), and no usage was found elsewhere.
    case tooLarge = "too_large"
    /// Broken JSON where usage was expected, a count that is not a non-negative integer up to
    /// 2^53, a part larger than its whole (cached > prompt, reasoning > output), a dialect that
    /// changes mid-stream, or broken chunked framing.
    case malformed
    /// The response ended early (`finish(complete: false)`) before any usage was seen.
    case truncated
    /// A well-formed body that carries no usage (for instance a chat stream without
    /// `stream_options.include_usage`, or an empty body).
    case noUsage = "no_usage"
}
