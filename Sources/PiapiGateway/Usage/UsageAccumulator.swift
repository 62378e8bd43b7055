/// Combines the readings of one response into its usage: a whole body gives one reading, a
/// stream several (Anthropic's `message_start` then cumulative `message_delta`s; OpenAI's one
/// usage chunk or final event). Anything untrustworthy poisons the whole response rather than
/// leaving half-right numbers that would be billed.
struct UsageAccumulator: Sendable {
    private(set) var dialect: UsageDialect?
    private(set) var model: String?
    private(set) var counts = TokenCounts()
    /// Usage-bearing content that could not be trusted was seen; the response's usage is unknown.
    private(set) var malformed = false
    /// A stream's last event has passed: chat's `data: [DONE]`, Anthropic's `message_stop`, or
    /// a final Responses event (`response.completed`/`incomplete`/`failed`) with its usage.
    private(set) var sawLastEvent = false

    /// Parses one JSON document (an event's data or a message) that the cheap pre-check
    /// flagged, or a whole body, and takes its reading.
    mutating func absorb(json bytes: UnsafeRawBufferPointer) {
        guard let document = ShallowJSONParser.parse(bytes) else {
            malformed = true
            return
        }
        if let type = document["type"]?.stringValue, UsageReading.finalResponseEvents.contains(type) {
            sawLastEvent = true
        }
        absorb(UsageReading(document: document))
    }

    /// An SSE event's data or a WebSocket message: parsed only if it may carry usage.
    mutating func absorb(event bytes: UnsafeRawBufferPointer) {
        if UsageReading.mayCarryUsage(bytes) {
            absorb(json: bytes)
        } else if UsageReading.endsStream(bytes) {
            sawLastEvent = true
        }
    }

    mutating func absorb(_ reading: UsageReading) {
        switch reading {
        case .none:
            return
        case .malformed:
            malformed = true
        case .usage(let readDialect, let readModel, let readCounts, let cumulative):
            if let dialect, dialect != readDialect {
                malformed = true
                return
            }
            dialect = readDialect
            model = readModel ?? model
            counts = cumulative ? counts.updated(by: readCounts) : readCounts
        }
    }
}
