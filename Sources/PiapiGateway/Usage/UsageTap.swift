import NIOCore

/// Reads one response's token usage on the side while its body is forwarded (contract §8).
/// Create it from the response head, hand it every body slice exactly as it is forwarded
/// (`observe`), and ask for the `UsageReport` when the response is over (`finish`). It only
/// reads the client's bytes — never changes, delays or holds back a slice — and copies at
/// most one SSE event (`maxEventBytes`) or one JSON body (`maxJSONBodyBytes`) into buffers of
/// its own, plus zlib's fixed state for a compressed body, so a stream of any length costs
/// bounded memory. A larger event, message or body is read by an `OversizedEventScanner`,
/// which keeps only the members usage needs.
///
/// The pipeline per slice: chunk framing removed (when the body is chunked) → gzip/deflate
/// inflated (when encoded) → SSE events framed and pre-checked, or the JSON body collected →
/// usage-bearing JSON parsed, read in its dialect and accumulated.
public struct UsageTap: Sendable {
    /// The largest SSE event (or WebSocket message) parsed whole: 1 MiB. A larger one is scanned.
    public static let maxEventBytes = SSEEventFramer.maxEventBytes
    /// The largest JSON body collected: 4 MiB. A larger one is scanned.
    public static let maxJSONBodyBytes = 4 << 20

    private var unchunker: ChunkedPayloadDecoder?
    private var inflater: ZlibInflater?
    private var framer: SSEEventFramer?
    /// An SSE body (not a WebSocket session, which carries many responses).
    private var isEventStream = false
    private var jsonBody: [UInt8]?
    /// A JSON body that outgrew `maxJSONBodyBytes`: scanned from then on instead of collected.
    private var bodyScanner: OversizedEventScanner?
    private var accumulator = UsageAccumulator()
    /// Set when the tap stopped looking (or never started): why.
    private var stopped: UsageUnknownReason?
    private var oversizedMessages = 0

    /// A tap for one HTTP response. `contentType` and `contentEncoding` are the response's
    /// header values (nil when absent); `chunked` says whether the forwarded body bytes carry
    /// chunked transfer framing. Only 2xx responses are inspected.
    public init(status: Int, contentType: String?, contentEncoding: String?, chunked: Bool) {
        guard (200..<300).contains(status) else {
            stopped = .status
            return
        }
        switch UsageContentCoding(header: contentEncoding) {
        case .identity: break
        case .gzip: inflater = ZlibInflater(format: .gzip)
        case .deflate: inflater = ZlibInflater(format: .deflate)
        case .unsupported:
            stopped = .encoding
            return
        }
        switch UsageBodyFormat(contentType: contentType) {
        case .eventStream:
            framer = SSEEventFramer()
            isEventStream = true
        case .json: jsonBody = []
        case .other:
            stopped = .notJSON
            return
        }
        if chunked { unchunker = ChunkedPayloadDecoder() }
    }

    /// The tap for an upstream response head as the gateway parsed it (before its body).
    /// `framingRemoved`: the body arrives with its chunk framing already taken off (the
    /// connection de-chunks it for an HTTP/1.0 client).
    init(head: ResponseHead, framingRemoved: Bool = false) {
        var chunked = false
        if case .chunked = head.framing { chunked = !framingRemoved }
        self.init(
            status: head.status, contentType: head.value(of: Self.contentTypeName).map(String.init),
            contentEncoding: head.value(of: Self.contentEncodingName).map(String.init), chunked: chunked)
    }

    private static let contentTypeName = Array("content-type".utf8)
    private static let contentEncodingName = Array("content-encoding".utf8)

    /// A tap for a WebSocket session, fed whole text messages through `observeMessage`.
    public static func webSocket() -> UsageTap {
        UsageTap()
    }

    private init() {}

    /// Reads one slice of the response body, exactly as forwarded to the client.
    public mutating func observe(_ bytes: ByteBuffer) {
        guard stopped == nil else { return }
        bytes.withUnsafeReadableBytes { raw in
            guard var unchunker = unchunker.take() else {
                return decode(raw)
            }
            let valid = unchunker.decode(raw) { payload in decode(UnsafeRawBufferPointer(rebasing: raw[payload])) }
            if !valid {
                stop(.malformed)
            } else if stopped == nil {
                self.unchunker = unchunker
            }
        }
    }

    /// Reads one whole WebSocket text message (reassembled and inflated by the caller): a
    /// Responses event such as `response.completed`, parsed like an SSE event's data.
    public mutating func observeMessage(_ text: ByteBuffer) {
        guard stopped == nil else { return }
        text.withUnsafeReadableBytes { accumulator.absorb(event: $0) }
    }

    /// A text message over `maxEventBytes`, scanned by the frame reader instead of assembled:
    /// its kept members are read like a message (a final event without readable usage still
    /// ends the response, then reported as `too_large`).
    mutating func observeOversizedMessage(_ scanner: OversizedEventScanner) {
        guard stopped == nil else { return }
        oversizedMessages += 1
        scanner.document()?.withUnsafeBytes { accumulator.absorb(json: $0) }
    }

    /// A final Responses event (`response.completed`/`incomplete`/`failed`) has been read: a
    /// WebSocket session, which carries many responses, reports this one and starts a new tap.
    public var sawFinalEvent: Bool { accumulator.sawLastEvent }

    /// The usage of the response. `complete` is false when it did not run to its end (the
    /// client went away, the upstream failed mid-body): the usage seen so far is reported
    /// as `partial`, and a JSON body is not parsed. A stream whose last event has passed
    /// (`data: [DONE]`, `message_stop`, a final Responses event) is whole even if the body did
    /// not end: the OpenAI SDKs close the connection as soon as they read `[DONE]`, often
    /// before the chunked body's terminator arrives.
    public func finish(complete: Bool) -> UsageReport {
        let complete = complete || (isEventStream && accumulator.sawLastEvent)
        var accumulator = accumulator
        var outcome = stopped
        if outcome == nil, complete, let jsonBody {
            outcome = jsonBody.withUnsafeBytes { Self.read(body: $0, into: &accumulator) }
        }
        if outcome == nil, let bodyScanner {
            if complete { bodyScanner.document()?.withUnsafeBytes { accumulator.absorb(json: $0) } }
            // The reason stands only if the scan found no usage.
            outcome = .tooLarge
        }
        if accumulator.malformed {
            return .unknown(.malformed, partial: !complete)
        }
        guard let dialect = accumulator.dialect else {
            let skipped = (framer?.oversizedEvents ?? 0) + oversizedMessages > 0
            let reason = outcome ?? (skipped ? .tooLarge : complete ? .noUsage : .truncated)
            return .unknown(reason, partial: !complete)
        }
        // Usage was found; a body the tap had to stop reading (undecodable tail, broken
        // framing) may have held more of it.
        let counts = accumulator.counts
        return UsageReport(
            model: accumulator.model, dialect: dialect, input: counts.input, cacheRead: counts.cacheRead,
            cacheWrite: counts.cacheWrite, output: counts.output, reasoning: counts.reasoning,
            partial: !complete || stopped != nil)
    }

    /// The bytes the tap holds now (its buffers' capacity), for tests of the memory bound.
    /// zlib's fixed state for a compressed body (about 40 KiB) is not included.
    var retainedBytes: Int {
        (framer?.retainedBytes ?? 0) + (jsonBody?.capacity ?? 0) + (bodyScanner?.retainedBytes ?? 0)
    }

    /// Payload bytes (chunk framing removed): inflated first when the body is encoded.
    private mutating func decode(_ payload: UnsafeRawBufferPointer) {
        guard stopped == nil else { return }
        guard var inflater = inflater.take() else {
            return consume(payload)
        }
        let valid = inflater.inflate(payload) { decoded in
            consume(decoded)
            return stopped == nil
        }
        if !valid {
            stop(.decodeError)
        } else if stopped == nil {
            self.inflater = inflater
        }
    }

    /// Decoded body bytes: framed into events, or collected as the JSON body.
    private mutating func consume(_ bytes: UnsafeRawBufferPointer) {
        if var framer = framer.take() {
            framer.feed(bytes) { accumulator.absorb(event: $0) }
            self.framer = framer
        } else if var scanner = bodyScanner.take() {
            scanner.feed(bytes)
            bodyScanner = scanner
        } else if jsonBody != nil {
            let needed = jsonBody!.count + bytes.count
            guard needed <= Self.maxJSONBodyBytes else {
                var scanner = OversizedEventScanner()
                jsonBody!.withUnsafeBytes { scanner.feed($0) }
                scanner.feed(bytes)
                bodyScanner = scanner
                jsonBody = nil
                return
            }
            // Grow by doubling but never past the bound, so the buffer stays within it.
            if needed > jsonBody!.capacity {
                jsonBody!.reserveCapacity(min(max(needed, 2 * jsonBody!.capacity), Self.maxJSONBodyBytes))
            }
            jsonBody!.append(contentsOf: bytes)
        }
    }

    /// Stops looking at the body and lets its buffers go; usage already seen still counts.
    /// The first reason stands: the chunk decoder may still find broken framing further on
    /// in the same slice after inflation failed, and the report must not depend on where
    /// the body was cut.
    private mutating func stop(_ reason: UsageUnknownReason) {
        if stopped == nil { stopped = reason }
        framer = nil
        jsonBody = nil
        bodyScanner = nil
        inflater = nil
        unchunker = nil
    }

    /// Parses a complete JSON body into `accumulator`; returns why usage is unknown when the
    /// body is not JSON at all (`not_json`) or broken (`malformed`).
    private static func read(
        body: UnsafeRawBufferPointer, into accumulator: inout UsageAccumulator
    ) -> UsageUnknownReason? {
        guard let start = body.firstIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) else {
            return nil
        }
        guard body[start] == UInt8(ascii: "{") || body[start] == UInt8(ascii: "[") else { return .notJSON }
        guard let document = ShallowJSONParser.parse(body) else { return .malformed }
        accumulator.absorb(UsageReading(document: document))
        return nil
    }
}
