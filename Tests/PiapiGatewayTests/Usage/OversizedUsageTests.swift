import NIOCore
import Testing

@testable import PiapiGateway

/// A `response.completed` repeats the client's `instructions` and `tools`, so a client can pad
/// it past every buffer bound (a review's budget bypass). Its usage must still be counted —
/// the real one at the right depth, not a decoy `usage` nested in a tool's JSON schema or
/// written inside a string — in memory that stays bounded.
@Suite struct OversizedUsageTests {
    /// Instructions of `padding` bytes holding escaped quotes and a fake usage in text, a
    /// tool whose schema has a `usage` property with absurd counts, a deeper `usage` in
    /// `metadata`, the real usage, then another schema with a `usage` property after it.
    static func response(padding: Int, usage: String = realUsage) -> String {
        var filler = #"say \"usage\":{\"input_tokens\":1} {[ "#
        filler = String(repeating: filler, count: padding / filler.utf8.count + 1)
        let decoy = #"{"type":"object","properties":{"usage":{"input_tokens":999999,"output_tokens":999999}}}"#
        return #"{"id":"resp_1","object":"response","model":"gpt-5","instructions":""# + filler
            + #"","tools":[{"type":"function","name":"f","parameters":"# + decoy
            + #"}],"metadata":{"usage":{"input_tokens":5}},"output":[],"usage":"# + usage
            + #","text":{"format":{"type":"json_schema","schema":"# + decoy + "}}}"
    }

    static let realUsage =
        #"{"input_tokens":280000,"input_tokens_details":{"cached_tokens":1000},"output_tokens":12,"#
        + #""output_tokens_details":{"reasoning_tokens":4},"total_tokens":280012}"#

    static func completed(padding: Int, usage: String = realUsage) -> String {
        #"{"type":"response.completed","sequence_number":9,"response":"# + response(padding: padding, usage: usage)
            + "}"
    }

    static let expected = UsageReport(
        model: "gpt-5", dialect: .responses, input: 279_000, cacheRead: 1000,
        output: 12, reasoning: 4)

    /// Feeds `bytes` in 64 KiB slices; returns the largest `retainedBytes` seen.
    static func feed(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) -> Int) -> Int {
        var peak = 0
        for slice in UsageTapDriver.cut(bytes, Array(repeating: 64 << 10, count: bytes.count / (64 << 10) + 1)) {
            peak = max(peak, Array(slice).withUnsafeBytes(body))
        }
        return peak
    }

    @Test func theScannerKeepsOnlyTheMembersAtTheirDepthInAFewKiB() throws {
        var scanner = OversizedEventScanner()
        let event = Array(Self.completed(padding: 2 << 20).utf8)
        let peak = Self.feed(event) {
            scanner.feed($0)
            return scanner.retainedBytes
        }
        #expect(peak <= 4096)
        let document = try #require(scanner.document())
        let reading = document.withUnsafeBytes { UsageReading(document: ShallowJSONParser.parse($0)!) }
        #expect(
            reading
                == .usage(
                    dialect: .responses, model: "gpt-5",
                    counts: TokenCounts(input: 279_000, cacheRead: 1000, output: 12, reasoning: 4),
                    cumulative: false))
    }

    @Test func anSSEEventOverOneMebibyteIsCounted() {
        let body = Array(
            ("event: response.completed\ndata: " + Self.completed(padding: UsageTap.maxEventBytes + 100_000)
                + "\n\n").utf8)
        var tap = UsageTap(status: 200, contentType: "text/event-stream", contentEncoding: nil, chunked: false)
        let peak = Self.feed(body) {
            tap.observe(ByteBuffer(bytes: $0))
            return tap.retainedBytes
        }
        #expect(tap.finish(complete: true) == Self.expected)
        #expect(peak <= UsageTap.maxEventBytes + 4096)
        #expect(tap.retainedBytes <= SSEEventFramer.keptCapacity)
    }

    @Test func aJSONBodyOverFourMebibytesIsCounted() {
        let body = Array(Self.response(padding: UsageTap.maxJSONBodyBytes + 100_000).utf8)
        var tap = UsageTap(status: 200, contentType: "application/json", contentEncoding: nil, chunked: false)
        var peak = Self.feed(body) {
            tap.observe(ByteBuffer(bytes: $0))
            return tap.retainedBytes
        }
        peak = max(peak, tap.retainedBytes)
        #expect(tap.finish(complete: true) == Self.expected)
        #expect(peak <= UsageTap.maxJSONBodyBytes + 4096)
        #expect(tap.retainedBytes <= 4096)
    }

    /// Fragmented frames adding up to more than 1 MiB, then an ordinary response.
    @Test func aWebSocketMessageOverOneMebibyteIsCounted() {
        var reader = WebSocketUsageReader(extensions: .none)
        let message = Array(Self.completed(padding: WebSocketFrameReader.maxMessageBytes + 100_000).utf8)
        let fragments = UsageTapDriver.cut(message, Array(repeating: 64 << 10, count: message.count / (64 << 10)))
        var frames: [UInt8] = []
        for (index, fragment) in fragments.enumerated() {
            frames += WebSocketFrames.frame(index == 0 ? 0x1 : 0x0, Array(fragment), fin: index == fragments.count - 1)
        }
        frames += WebSocketFrames.text(Self.completed(padding: 10))
        var reports: [UsageReport] = []
        let peak = Self.feed(frames) {
            reader.feed(ByteBuffer(bytes: $0)) { reports.append($0) }
            return reader.retainedBytes
        }
        #expect(reports == [Self.expected, Self.expected])
        #expect(peak <= WebSocketFrameReader.maxMessageBytes + 4096)
        #expect(reader.unfinished() == nil)
    }

    /// A final event whose usage is too long to keep still ends its response, reported as
    /// `too_large` instead of passing uncounted and unflagged.
    @Test func anUnreadableOversizedFinalEventIsFlagged() {
        let padded =
            #"{"input_tokens":5,"note":""# + String(repeating: "n", count: OversizedEventScanner.maxUsageBytes) + #""}"#
        var reader = WebSocketUsageReader(extensions: .none)
        var reports: [UsageReport] = []
        reader.feed(ByteBuffer(bytes: WebSocketFrames.text(Self.completed(padding: 1 << 20, usage: padded)))) {
            reports.append($0)
        }
        #expect(reports == [.unknown(.tooLarge, partial: false)])
    }

    /// A message too large to read that is not a final event: if the session ends before the
    /// response does, the response is flagged `too_large`, not dropped.
    @Test func anOversizedMessageInAnUnfinishedResponseIsFlagged() {
        var reader = WebSocketUsageReader(extensions: .none)
        let delta = #"{"type":"response.output_text.delta","delta":""# + String(repeating: "d", count: 1 << 20) + #""}"#
        reader.feed(ByteBuffer(bytes: WebSocketFrames.text(delta))) { _ in Issue.record("no response ended") }
        #expect(reader.unfinished() == .unknown(.tooLarge, partial: true))
    }

    @Test func theSessionLogLineNamesTheUnknownReason() {
        let record = WebSocketSessionRecord(
            requestID: "r", path: "/p", user: "u", serviceType: "codex", upstreamProvider: "openai", upstreamKey: "k",
            durationSeconds: 1, bytesIn: 0, bytesOut: 0, closeReason: .clientClosed, closeCode: nil, responses: 1,
            usage: nil, costUSD: nil, usageUnknown: .tooLarge, usageError: nil, tableHash: "abc")
        let line = String(decoding: RequestLogWriter.line(forWebSocket: record), as: UTF8.self)
        #expect(line.contains(#""usage_unknown":"too_large""#))
    }
}
