/// How a response body is read for usage, from the media type of its `Content-Type`
/// (parameters such as `charset` ignored, case-insensitive): an event stream is framed event
/// by event; a JSON body (`application/json`, `text/json`, any `…+json`) is collected and
/// parsed once at its end; anything else is not inspected (`not_json`).
enum UsageBodyFormat: Sendable, Equatable {
    case eventStream
    case json
    case other

    init(contentType: String?) {
        guard var contentType else {
            self = .other
            return
        }
        // Byte-wise, once per response: the split/trim/lowercased() of Characters it replaces
        // cost about 3 % of a proxied request's CPU (docs/performance.md).
        self = contentType.withUTF8 { Self.format(ofMediaType: $0) }
    }

    /// The format named by the media type at the start of `bytes`: the text before any `;`,
    /// without surrounding spaces and tabs, compared ASCII-case-insensitively.
    private static func format(ofMediaType bytes: UnsafeBufferPointer<UInt8>) -> UsageBodyFormat {
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        let end = bytes.firstIndex(of: UInt8(ascii: ";")) ?? bytes.count
        guard let first = bytes[..<end].firstIndex(where: { !isBlank($0) }),
            let last = bytes[..<end].lastIndex(where: { !isBlank($0) })
        else { return .other }
        let mediaType = UnsafeBufferPointer(rebasing: bytes[first...last])
        if equalsIgnoringASCIICase(mediaType, "text/event-stream") { return .eventStream }
        if equalsIgnoringASCIICase(mediaType, "application/json") || equalsIgnoringASCIICase(mediaType, "text/json") {
            return .json
        }
        let suffix = "+json".utf8.count
        if mediaType.count >= suffix,
            equalsIgnoringASCIICase(UnsafeBufferPointer(rebasing: mediaType[(mediaType.count - suffix)...]), "+json")
        {
            return .json
        }
        return .other
    }

    /// Whether `bytes` spell `lowercase` (all lowercase ASCII) in any ASCII case.
    private static func equalsIgnoringASCIICase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercase: StaticString) -> Bool
    {
        guard bytes.count == lowercase.utf8CodeUnitCount else { return false }
        for i in 0..<bytes.count {
            var byte = bytes[i]
            if byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") { byte += 0x20 }
            if byte != lowercase.utf8Start[i] { return false }
        }
        return true
    }
}
