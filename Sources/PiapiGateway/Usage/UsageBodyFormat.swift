/// How a response body is read for usage, from the media type of its `Content-Type`
/// (parameters such as `charset` ignored, case-insensitive): an event stream is framed event
/// by event; a JSON body (`application/json`, `text/json`, any `…+json`) is collected and
/// parsed once at its end; anything else is not inspected (`not_json`).
enum UsageBodyFormat: Sendable, Equatable {
    case eventStream
    case json
    case other

    init(contentType: String?) {
        guard let contentType else {
            self = .other
            return
        }
        let parameters = contentType.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false)
        let mediaType = UsageContentCoding.trimmed(parameters.first ?? "").lowercased()
        if mediaType == "text/event-stream" {
            self = .eventStream
        } else if mediaType == "application/json" || mediaType == "text/json" || mediaType.hasSuffix("+json") {
            self = .json
        } else {
            self = .other
        }
    }
}
