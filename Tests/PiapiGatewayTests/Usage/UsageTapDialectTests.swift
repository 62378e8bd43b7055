import Foundation
import NIOCore
import Testing

@testable import PiapiGateway

/// The three dialects, plain and streamed, identity and compressed, framed and not: every
/// way of delivering the same body gives the same report.
@Suite struct UsageTapDialectTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let body: String
        let contentType: String
        let expected: UsageReport
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "chat plain", body: FixturesOpenAIChat.plain, contentType: "application/json",
            expected: FixturesOpenAIChat.plainReport),
        Case(
            name: "chat stream", body: FixturesOpenAIChat.stream, contentType: "text/event-stream",
            expected: FixturesOpenAIChat.streamReport),
        Case(
            name: "responses plain", body: FixturesOpenAIResponses.plain, contentType: "application/json",
            expected: FixturesOpenAIResponses.plainReport),
        Case(
            name: "responses stream", body: FixturesOpenAIResponses.stream,
            contentType: "text/event-stream; charset=utf-8",
            expected: FixturesOpenAIResponses.streamReport),
        Case(
            name: "messages plain", body: FixturesAnthropicMessages.plain, contentType: "application/json",
            expected: FixturesAnthropicMessages.plainReport),
        Case(
            name: "messages stream", body: FixturesAnthropicMessages.stream, contentType: "text/event-stream",
            expected: FixturesAnthropicMessages.streamReport),
        Case(
            name: "messages stream, cumulative deltas", body: FixturesAnthropicMessages.streamWithCumulativeDeltas,
            contentType: "text/event-stream", expected: FixturesAnthropicMessages.streamWithCumulativeDeltasReport),
    ]

    @Test(arguments: cases)
    func wholeBody(_ c: Case) {
        #expect(UsageTapDriver.report(c.body.utf8Bytes, contentType: c.contentType) == c.expected)
    }

    @Test(arguments: cases)
    func oneByteAtATime(_ c: Case) {
        let body = c.body.utf8Bytes
        let report = UsageTapDriver.report(
            body, contentType: c.contentType, slices: Array(repeating: 1, count: body.count))
        #expect(report == c.expected)
    }

    @Test(arguments: cases)
    func splitInTwoAtEveryOffset(_ c: Case) {
        let body = c.body.utf8Bytes
        for offset in 0...body.count {
            let report = UsageTapDriver.report(body, contentType: c.contentType, slices: [offset])
            #expect(report == c.expected, "split at \(offset)")
            if report != c.expected { return }
        }
    }

    @Test(arguments: cases)
    func randomSplits(_ c: Case) {
        let body = c.body.utf8Bytes
        for seed in UInt64(1)...40 {
            let slices = UsageTapDriver.randomSlices(count: body.count, seed: seed)
            #expect(
                UsageTapDriver.report(body, contentType: c.contentType, slices: slices) == c.expected, "seed \(seed)")
        }
    }

    @Test(arguments: cases)
    func crlfAndCRLineEnds(_ c: Case) {
        for lineEnd in ["\r\n", "\r"] {
            let body = c.body.replacingOccurrences(of: "\n", with: lineEnd).utf8Bytes
            #expect(UsageTapDriver.report(body, contentType: c.contentType) == c.expected)
            for seed in UInt64(1)...10 {
                let slices = UsageTapDriver.randomSlices(count: body.count, seed: seed, max: 5)
                #expect(UsageTapDriver.report(body, contentType: c.contentType, slices: slices) == c.expected)
            }
        }
    }

    @Test(arguments: cases)
    func gzipAtEveryOffsetAndSliced(_ c: Case) {
        let encoded = UsageTapDriver.gzip(c.body.utf8Bytes)
        for encoding in ["gzip", "x-gzip", "GZIP", "identity, gzip"] {
            #expect(UsageTapDriver.report(encoded, contentType: c.contentType, encoding: encoding) == c.expected)
        }
        for offset in 0...encoded.count {
            #expect(
                UsageTapDriver.report(encoded, contentType: c.contentType, encoding: "gzip", slices: [offset])
                    == c.expected)
        }
        let bytewise = Array(repeating: 1, count: encoded.count)
        #expect(
            UsageTapDriver.report(encoded, contentType: c.contentType, encoding: "gzip", slices: bytewise) == c.expected
        )
    }

    @Test(arguments: cases)
    func deflateZlibWrappedAndRaw(_ c: Case) {
        for windowBits: Int32 in [15, -15] {
            let encoded = UsageTapDriver.compress(c.body.utf8Bytes, windowBits: windowBits)
            #expect(UsageTapDriver.report(encoded, contentType: c.contentType, encoding: "deflate") == c.expected)
            let slices = UsageTapDriver.randomSlices(count: encoded.count, seed: 7, max: 11)
            #expect(
                UsageTapDriver.report(encoded, contentType: c.contentType, encoding: "deflate", slices: slices)
                    == c.expected)
        }
    }

    @Test(arguments: cases)
    func chunkedFramingPlainAndGzip(_ c: Case) {
        let framed = UsageTapDriver.chunked(c.body.utf8Bytes)
        #expect(UsageTapDriver.report(framed, contentType: c.contentType, chunked: true) == c.expected)
        let slices = UsageTapDriver.randomSlices(count: framed.count, seed: 3, max: 13)
        #expect(UsageTapDriver.report(framed, contentType: c.contentType, chunked: true, slices: slices) == c.expected)

        let gzipFramed = UsageTapDriver.chunked(UsageTapDriver.gzip(c.body.utf8Bytes), sizes: [5, 64, 3])
        for offset in stride(from: 0, through: gzipFramed.count, by: 3) {
            let report = UsageTapDriver.report(
                gzipFramed, contentType: c.contentType, encoding: "gzip", chunked: true, slices: [offset])
            #expect(report == c.expected, "split at \(offset)")
        }
    }

    @Test func concatenatedGzipMembersAreOneBody() {
        let body = FixturesOpenAIChat.stream.utf8Bytes
        let half = body.count / 2
        let encoded = UsageTapDriver.gzip(Array(body[..<half])) + UsageTapDriver.gzip(Array(body[half...]))
        #expect(
            UsageTapDriver.report(encoded, contentType: "text/event-stream", encoding: "gzip")
                == FixturesOpenAIChat.streamReport)
    }

    @Test func webSocketMessagesOfTheResponsesAPI() {
        // Over a WebSocket the Responses API sends the same events, one per text message.
        var tap = UsageTap.webSocket()
        let events = FixturesOpenAIResponses.stream.split(separator: "\n").filter { $0.hasPrefix("data: ") }
        for event in events {
            tap.observeMessage(ByteBuffer(string: String(event.dropFirst(6))))
        }
        #expect(tap.finish(complete: true) == FixturesOpenAIResponses.streamReport)

        var silent = UsageTap.webSocket()
        silent.observeMessage(ByteBuffer(string: #"{"type":"response.output_text.delta","delta":"hi"}"#))
        #expect(silent.finish(complete: true) == .unknown(.noUsage, partial: false))
    }

    @Test func fromTheGatewaysResponseHead() throws {
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n"
        let parsed = try #require(ResponseHead(parsing: ByteBuffer(string: head), requestWasHead: false))
        var tap = UsageTap(head: parsed)
        let framed = UsageTapDriver.chunked(UsageTapDriver.gzip(FixturesAnthropicMessages.stream.utf8Bytes))
        for piece in UsageTapDriver.cut(framed, UsageTapDriver.randomSlices(count: framed.count, seed: 11, max: 200)) {
            tap.observe(ByteBuffer(bytes: piece))
        }
        #expect(tap.finish(complete: true) == FixturesAnthropicMessages.streamReport)
    }

    @Test func aCopiedTapDecodesOnItsOwn() {
        // Value semantics across the zlib stream: a copy taken mid-body continues independently.
        let encoded = UsageTapDriver.gzip(FixturesOpenAIResponses.stream.utf8Bytes)
        let half = encoded.count / 2
        var original = UsageTap(status: 200, contentType: "text/event-stream", contentEncoding: "gzip", chunked: false)
        original.observe(ByteBuffer(bytes: encoded[..<half]))
        var copy = original
        copy.observe(ByteBuffer(bytes: encoded[half...]))
        #expect(copy.finish(complete: true) == FixturesOpenAIResponses.streamReport)
        #expect(original.finish(complete: false) == .unknown(.truncated, partial: true))
        original.observe(ByteBuffer(bytes: encoded[half...]))
        #expect(original.finish(complete: true) == FixturesOpenAIResponses.streamReport)
    }
}
