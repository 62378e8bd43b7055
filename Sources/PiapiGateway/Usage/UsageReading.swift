/// What one JSON document — a whole response body, one SSE event's data or one WebSocket
/// message — says about usage, already normalised (`TokenCounts`). This is the one place that
/// knows the three dialects' field names and the formulas of contract §8.
enum UsageReading: Sendable, Equatable {
    /// The document carries no usage (another event type, `usage: null`, no known count).
    case none
    /// Usage in `dialect`. `cumulative` readings (Anthropic streams) update the earlier ones
    /// field by field; the others replace them whole.
    case usage(dialect: UsageDialect, model: String?, counts: TokenCounts, cumulative: Bool)
    /// A usage object that cannot be trusted (see `UsageUnknownReason.malformed`).
    case malformed

    /// The largest count accepted: a billion tokens, far beyond any real response (the
    /// largest context windows are a few million). A larger count is absurd, and summing a
    /// few thousand of them would overflow the ledger's 64-bit totals and the budgets.
    static let maxCount = 1_000_000_000

    /// The Responses stream events whose `response.usage` is final; earlier ones
    /// (`response.created`, `response.in_progress`) carry `usage: null` or nothing.
    static let finalResponseEvents: Set<String> = [
        "response.completed", "response.incomplete", "response.failed",
    ]

    init(document: ShallowJSON) {
        guard document.isObject else {
            self = .none
            return
        }
        switch document["type"]?.stringValue {
        case "message_start":
            // Anthropic stream: usage and model inside `message`.
            let message = document["message"] ?? .null
            self = Self.read(message["usage"], model: message["model"], hint: .messages, cumulative: true)
        case "message_delta":
            // Anthropic stream: cumulative usage, often `output_tokens` alone.
            self = Self.read(document["usage"], model: nil, hint: .messages, cumulative: true)
        case let type? where Self.finalResponseEvents.contains(type):
            // Responses stream (SSE or WebSocket): the final response object.
            let response = document["response"] ?? .null
            self = Self.read(response["usage"], model: response["model"], hint: .responses, cumulative: false)
        case "message":
            // A whole Anthropic message.
            self = Self.read(document["usage"], model: document["model"], hint: .messages, cumulative: false)
        case nil:
            // A whole Chat Completions or Responses object, or a chat stream chunk.
            let hint: UsageDialect?
            switch document["object"]?.stringValue {
            case "chat.completion", "chat.completion.chunk": hint = .chatCompletions
            case "response": hint = .responses
            default: hint = nil
            }
            self = Self.read(document["usage"], model: document["model"], hint: hint, cumulative: false)
        default:
            // Any other typed event (`ping`, `content_block_delta`, `response.output_text.delta`,
            // `error`, …) never carries final usage.
            self = .none
        }
    }

    /// Reads one usage object; `hint` is the dialect the surrounding document named, else
    /// the usage's own field names decide.
    private static func read(
        _ usage: ShallowJSON?, model: ShallowJSON?, hint: UsageDialect?, cumulative: Bool
    ) -> UsageReading {
        guard let usage, usage != .null else { return .none }
        guard usage.isObject else { return .malformed }
        guard let dialect = hint ?? dialect(ofUsage: usage) else { return .none }
        guard let counts = counts(in: usage, dialect: dialect) else { return .malformed }
        if counts.isEmpty { return .none }
        return .usage(dialect: dialect, model: model?.stringValue, counts: counts, cumulative: cumulative)
    }

    private static func dialect(ofUsage usage: ShallowJSON) -> UsageDialect? {
        if usage["prompt_tokens"] != nil || usage["completion_tokens"] != nil {
            return .chatCompletions
        }
        if usage["input_tokens_details"] != nil || usage["output_tokens_details"] != nil {
            return .responses
        }
        if usage["input_tokens"] != nil || usage["output_tokens"] != nil
            || usage["cache_creation_input_tokens"] != nil || usage["cache_read_input_tokens"] != nil
        {
            // Without details Responses and Messages normalise identically; Messages is the
            // one that has no other marker.
            return .messages
        }
        return nil
    }

    /// The normalised counts, or nil when a count is not a non-negative integer ≤ a billion or a
    /// part exceeds its whole (which would make `input` negative or `reasoning` exceed `output`).
    private static func counts(in usage: ShallowJSON, dialect: UsageDialect) -> TokenCounts? {
        var result = Result()
        switch dialect {
        case .chatCompletions:
            return result.openAI(
                total: usage["prompt_tokens"], cached: usage["prompt_tokens_details"]?["cached_tokens"],
                output: usage["completion_tokens"], reasoning: usage["completion_tokens_details"]?["reasoning_tokens"])
        case .responses:
            return result.openAI(
                total: usage["input_tokens"], cached: usage["input_tokens_details"]?["cached_tokens"],
                output: usage["output_tokens"], reasoning: usage["output_tokens_details"]?["reasoning_tokens"])
        case .messages:
            let counts = TokenCounts(
                input: result.count(usage["input_tokens"]),
                cacheRead: result.count(usage["cache_read_input_tokens"]),
                cacheWrite: result.count(usage["cache_creation_input_tokens"]),
                output: result.count(usage["output_tokens"]))
            return result.valid ? counts : nil
        }
    }

    /// Collects counts, remembering whether any was unacceptable.
    private struct Result {
        var valid = true

        /// nil for a missing or null count; an unacceptable one marks the result invalid.
        mutating func count(_ value: ShallowJSON?) -> Int? {
            switch value {
            case nil, .null?:
                return nil
            case .integer(let n)? where n >= 0 && n <= UsageReading.maxCount:
                return n
            default:
                valid = false
                return nil
            }
        }

        /// Both OpenAI dialects: `total` includes `cached`, `output` includes `reasoning`.
        mutating func openAI(
            total: ShallowJSON?, cached: ShallowJSON?, output: ShallowJSON?, reasoning: ShallowJSON?
        ) -> TokenCounts? {
            let total = count(total)
            let cached = count(cached)
            let output = count(output)
            let reasoning = count(reasoning)
            guard valid else { return nil }
            if let total, let cached, cached > total { return nil }
            if let output, let reasoning, reasoning > output { return nil }
            return TokenCounts(
                input: total.map { $0 - (cached ?? 0) }, cacheRead: cached, cacheWrite: nil,
                output: output, reasoning: reasoning)
        }
    }

    /// Whether an event without usage is its stream's last: chat's `[DONE]`, or Anthropic's
    /// `{"type":"message_stop"}` (short; parsed only when it contains that name).
    static func endsStream(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if bytes.elementsEqual("[DONE]".utf8) { return true }
        let name = messageStopName
        guard bytes.count <= 128, bytes.count >= name.count else { return false }
        for start in 0...(bytes.count - name.count) where bytes[start] == name[0] {
            if (1..<name.count).allSatisfy({ bytes[start + $0] == name[$0] }) {
                return ShallowJSONParser.parse(bytes)?["type"]?.stringValue == "message_stop"
            }
        }
        return false
    }

    private static let messageStopName = Array("\"message_stop\"".utf8)

    /// Cheap test run before parsing an event: true when `bytes` contain `"usage"` followed
    /// (after optional whitespace and the colon) by `{`. Chat chunks with `"usage":null`,
    /// text deltas and pings are skipped without parsing; an escaped `\"usage\"` inside a
    /// string never matches because its closing quote is preceded by a backslash.
    static func mayCarryUsage(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let needle: StaticString = "\"usage\""
        let length = needle.utf8CodeUnitCount
        let first = needle.utf8Start[0]
        var i = 0
        let n = bytes.count
        search: while i + length <= n {
            guard bytes[i] == first else {
                i += 1
                continue
            }
            for k in 1..<length where bytes[i + k] != needle.utf8Start[k] {
                i += 1
                continue search
            }
            var j = i + length
            while j < n, bytes[j] == 0x20 || bytes[j] == 0x09 || bytes[j] == 0x0A || bytes[j] == 0x0D { j += 1 }
            if j < n, bytes[j] == UInt8(ascii: ":") {
                j += 1
                while j < n, bytes[j] == 0x20 || bytes[j] == 0x09 || bytes[j] == 0x0A || bytes[j] == 0x0D { j += 1 }
                if j < n, bytes[j] == UInt8(ascii: "{") { return true }
            }
            i += length
        }
        return false
    }
}
