import Foundation
import NIOCore
import Testing

@testable import PiapiGateway

/// Hostile and broken responses: the tap reports usage as unknown, with a reason, and never
/// traps or grows beyond its bounds.
@Suite struct UsageTapBadInputTests {
    static func json(_ body: String, complete: Bool = true) -> UsageReport {
        UsageTapDriver.report(body.utf8Bytes, contentType: "application/json", complete: complete)
    }

    static func chatUsage(_ usage: String) -> UsageReport {
        json(#"{"object":"chat.completion","model":"m","usage":"# + usage + "}")
    }

    @Test(arguments: [
        // Wrong types, fractions, absurd numbers.
        #"{"prompt_tokens":"12","completion_tokens":3}"#,
        #"{"prompt_tokens":12.0,"completion_tokens":3}"#,
        #"{"prompt_tokens":true,"completion_tokens":3}"#,
        #"{"prompt_tokens":[12],"completion_tokens":3}"#,
        #"{"prompt_tokens":-1,"completion_tokens":3}"#,
        #"{"prompt_tokens":9007199254740993,"completion_tokens":3}"#,
        #"{"prompt_tokens":99999999999999999999999,"completion_tokens":3}"#,
        #"{"prompt_tokens":1e400,"completion_tokens":3}"#,
        #"{"prompt_tokens":12,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":"all"}}"#,
        // A part larger than its whole.
        #"{"prompt_tokens":12,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":13}}"#,
        #"{"prompt_tokens":12,"completion_tokens":3,"completion_tokens_details":{"reasoning_tokens":4}}"#,
        // Usage that is not an object.
        "12", #""usage""#, "[]",
    ])
    func untrustworthyUsageIsMalformed(usage: String) {
        #expect(Self.chatUsage(usage) == .unknown(.malformed, partial: false))
    }

    /// Found by the review: 1,100 answers of 2^53 − 1 tokens overflowed the ledger's sums, and
    /// a restart then read no totals at all (every budget back to zero).
    @Test func aBillionTokensIsTheLargestCountAccepted() {
        let report = Self.chatUsage(#"{"prompt_tokens":1000000000,"completion_tokens":0}"#)
        #expect(report.input == 1_000_000_000)
        #expect(report.output == 0)
        #expect(
            Self.chatUsage(#"{"prompt_tokens":1000000001,"completion_tokens":0}"#)
                == .unknown(.malformed, partial: false))
        #expect(
            Self.chatUsage(#"{"prompt_tokens":9007199254740991,"completion_tokens":9007199254740991}"#)
                == .unknown(.malformed, partial: false))
    }

    @Test func missingAndNullCountsAreUnstatedNotZero() {
        let report = Self.chatUsage(#"{"prompt_tokens":10,"completion_tokens":null,"prompt_tokens_details":null}"#)
        #expect(report == UsageReport(model: "m", dialect: .chatCompletions, input: 10))
        #expect(Self.chatUsage("null") == .unknown(.noUsage, partial: false))
        #expect(Self.chatUsage(#"{"total_tokens":5}"#) == .unknown(.noUsage, partial: false))
    }

    @Test(arguments: [
        (#"{"usage":{"prompt_tokens":1,"#, UsageUnknownReason.malformed),
        (#"{"usage":{"prompt_tokens":1}}}"#, .malformed),
        ("<html><body>Bad gateway</body></html>", .notJSON),
        ("\u{1F}\u{8B}\u{08}\u{00}binary", .notJSON),
        ("{\u{00}\u{FF}\u{13}", .malformed),
        ("", .noUsage),
        ("   \n", .noUsage),
        (#"{"id":"x","object":"list","data":[]}"#, .noUsage),
        (#"[{"usage":{"prompt_tokens":1}}]"#, .noUsage),
        (#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#, .noUsage),
    ])
    func brokenOrUsagelessBodies(body: String, reason: UsageUnknownReason) {
        #expect(Self.json(body) == .unknown(reason, partial: false))
    }

    @Test func hostileNestingInABodyIsMalformed() {
        #expect(Self.json(String(repeating: "[", count: 1_000_000)) == .unknown(.malformed, partial: false))
        let nested =
            #"{"usage":{"prompt_tokens":1,"completion_tokens":1},"x":"# + String(repeating: "{\"a\":", count: 5000)
            + "1" + String(repeating: "}", count: 5000) + "}"
        #expect(Self.json(nested) == .unknown(.malformed, partial: false))
    }

    @Test func bodiesThatAreNotInspected() {
        let body = FixturesOpenAIChat.plain.utf8Bytes
        #expect(
            UsageTapDriver.report(body, contentType: "application/json", status: 400)
                == .unknown(.status, partial: false))
        #expect(
            UsageTapDriver.report(body, contentType: "application/json", status: 302)
                == .unknown(.status, partial: false))
        #expect(UsageTapDriver.report(body, contentType: "text/html") == .unknown(.notJSON, partial: false))
        #expect(UsageTapDriver.report(body, contentType: nil) == .unknown(.notJSON, partial: false))
        for encoding in ["br", "zstd", "gzip, br", "gzip, gzip", "compress"] {
            #expect(
                UsageTapDriver.report(body, contentType: "application/json", encoding: encoding)
                    == .unknown(.encoding, partial: false))
        }
        // The JSON-ish media types are all read.
        for type in [
            "application/json; charset=utf-8", "Application/JSON", "application/vnd.api+json", "text/json",
            " \tapplication/json \t; q=1", "TEXT/JSON;", "application/PROBLEM+JSON",
        ] {
            #expect(UsageTapDriver.report(body, contentType: type) == FixturesOpenAIChat.plainReport)
        }
        // The media type is the text before any `;`, whole: a prefix, a longer name or a
        // parameter naming JSON is not JSON.
        for type in [
            "", " ; ", "application/jsonx", "application/jso", "text/plain; type=application/json",
            "application/json\u{301}", "json", "application/json-seq",
        ] {
            #expect(UsageTapDriver.report(body, contentType: type) == .unknown(.notJSON, partial: false))
        }
    }

    @Test func corruptCompressedBodiesAreDecodeErrors() {
        let body = FixturesOpenAIChat.plain.utf8Bytes
        #expect(
            UsageTapDriver.report(body, contentType: "application/json", encoding: "gzip")
                == .unknown(.decodeError, partial: false))
        var damaged = UsageTapDriver.gzip(body)
        damaged[damaged.count / 2] ^= 0xFF
        damaged[damaged.count / 2 + 1] ^= 0xFF
        let report = UsageTapDriver.report(damaged, contentType: "application/json", encoding: "gzip")
        #expect(report.unknownReason == .decodeError || report.unknownReason == .malformed)
        // Garbage after the end of a gzip member.
        let trailing = UsageTapDriver.gzip(body) + Array("garbage".utf8)
        #expect(
            UsageTapDriver.report(trailing, contentType: "application/json", encoding: "gzip")
                == .unknown(.decodeError, partial: false))
    }

    @Test func aStreamCutShortAfterItsUsageKeepsItButIsPartial() {
        // The usage chunk arrived, then the inflated tail is garbage.
        let body = FixturesOpenAIChat.stream.utf8Bytes
        let encoded = UsageTapDriver.gzip(body) + Array(repeating: 0xFF, count: 32)
        var expected = FixturesOpenAIChat.streamReport
        expected.partial = true
        #expect(UsageTapDriver.report(encoded, contentType: "text/event-stream", encoding: "gzip") == expected)
    }

    /// The gateway refuses broken chunk framing before a body reaches the tap (502); what the
    /// tap's decoder still refuses itself is a chunk size it cannot hold.
    @Test func anOverflowingChunkSizeStopsTheTap() {
        let framed = Array("5\r\nhello\r\nFFFFFFFFFFFFFFFFFF\r\n".utf8)
        let report = UsageTapDriver.report(framed, contentType: "application/json", chunked: true)
        #expect(report == .unknown(.malformed, partial: false))
    }

    @Test func theFirstFailureInTheBodyIsTheReasonHoweverItIsCut() {
        // Found by FuzzUsageTap: corrupt gzip data, then broken chunk framing further on.
        var encoded = UsageTapDriver.gzip(FixturesOpenAIChat.stream.utf8Bytes)
        encoded[40] ^= 0xFF
        let framed = Array("64\r\n".utf8) + encoded[..<100] + Array("\r\nzz\r\n".utf8) + encoded[100...]
        for slices in [[], Array(repeating: 16, count: framed.count), Array(repeating: 1, count: framed.count)] {
            let report = UsageTapDriver.report(
                framed, contentType: "text/event-stream", encoding: "gzip", chunked: true, slices: slices)
            #expect(report == .unknown(.decodeError, partial: false))
        }
    }

    @Test func streamEventsWithBrokenUsageJSONPoisonTheStream() {
        let stream = FixturesAnthropicMessages.stream.replacingFirst(
            #""usage": {"output_tokens": 503}"#, with: #""usage": {"output_tokens": 503"#)
        #expect(
            UsageTapDriver.report(stream.utf8Bytes, contentType: "text/event-stream")
                == .unknown(.malformed, partial: false))
        let negative = FixturesAnthropicMessages.stream.replacingFirst(
            #""output_tokens": 503"#, with: #""output_tokens": -503"#)
        #expect(
            UsageTapDriver.report(negative.utf8Bytes, contentType: "text/event-stream")
                == .unknown(.malformed, partial: false))
    }

    @Test func aDialectThatChangesMidStreamIsMalformed() {
        let mixed = FixturesAnthropicMessages.stream + FixturesOpenAIChat.stream
        #expect(
            UsageTapDriver.report(mixed.utf8Bytes, contentType: "text/event-stream")
                == .unknown(.malformed, partial: false))
    }

    @Test func aStreamWithoutIncludeUsageHasNoUsage() {
        let body = FixturesOpenAIChat.streamWithoutUsage.utf8Bytes
        #expect(UsageTapDriver.report(body, contentType: "text/event-stream") == .unknown(.noUsage, partial: false))
    }

    @Test func aBinaryBodyLabelledAsAnEventStreamHasNoUsage() {
        var generator = SplitMix64(seed: 99)
        let noise = (0..<200_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        #expect(
            UsageTapDriver.report(noise, contentType: "text/event-stream", slices: [1000, 3, 50_000]).unknownReason
                != nil)
        #expect(UsageTapDriver.report(noise, contentType: "application/json").unknownReason != nil)
    }
}

extension String {
    /// This text with the first occurrence of `target` replaced (the tests' fixtures have one).
    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { preconditionFailure("\(target) not in fixture") }
        return replacingCharacters(in: range, with: replacement)
    }
}
