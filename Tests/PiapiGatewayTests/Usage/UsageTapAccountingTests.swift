import Foundation
import NIOCore
import Testing

@testable import PiapiGateway

/// The accounting rules of contract §8 that other gateways get wrong, partial streams, and
/// the memory bound.
@Suite struct UsageTapAccountingTests {
    static func stream(_ text: String, complete: Bool = true) -> UsageReport {
        UsageTapDriver.report(text.utf8Bytes, contentType: "text/event-stream", complete: complete)
    }

    @Test func cachedTokensAreCountedOnce() {
        // OpenAI: prompt_tokens includes cached_tokens; input + cacheRead == prompt_tokens.
        let chat = FixturesOpenAIChat.plainReport
        #expect(chat.input! + chat.cacheRead! == 2006)
        // Anthropic: input_tokens excludes both cache fields; they are reported as they are.
        let messages = Self.stream(FixturesAnthropicMessages.streamWithCumulativeDeltas)
        #expect(messages.input == 2679 && messages.cacheRead == 12000 && messages.cacheWrite == 1460)
        // Reasoning is part of output, never added to it.
        let responses = FixturesOpenAIResponses.plainReport
        #expect(responses.output == 1035 && responses.reasoning == 832)
    }

    @Test func responsesStreamsAreNotLoggedWithZeroTokens() {
        // `response.created` and `response.in_progress` carry `usage: null` (or even zeros);
        // only the final event counts.
        let zeros = FixturesOpenAIResponses.stream.replacingFirst(
            #""usage":null,"user":null"#,
            with:
                #""usage":{"input_tokens":0,"output_tokens":0,"input_tokens_details":{"cached_tokens":0},"output_tokens_details":{"reasoning_tokens":0}},"user":null"#
        )
        #expect(Self.stream(zeros) == FixturesOpenAIResponses.streamReport)
        for final in ["response.incomplete", "response.failed"] {
            let text = FixturesOpenAIResponses.stream.replacingFirst(
                #""type":"response.completed""#, with: "\"type\":\"\(final)\"")
            #expect(Self.stream(text) == FixturesOpenAIResponses.streamReport)
        }
    }

    @Test func anAbortedStreamReportsWhatItSawAsPartial() {
        // Anthropic cut before message_delta: the input side from message_start, output so far.
        let anthropic = FixturesAnthropicMessages.stream
        let cut = String(anthropic[..<anthropic.range(of: "event: message_delta")!.lowerBound])
        let report = Self.stream(cut, complete: false)
        #expect(
            report
                == UsageReport(
                    model: "claude-opus-4-1-20250805", dialect: .messages, input: 472, cacheRead: 2095, cacheWrite: 0,
                    output: 1, partial: true))
        // Responses cut before response.completed: nothing final was seen.
        let responses = FixturesOpenAIResponses.stream
        let cutResponses = String(responses[..<responses.range(of: "event: response.completed")!.lowerBound])
        #expect(Self.stream(cutResponses, complete: false) == .unknown(.truncated, partial: true))
        // A complete usage then an abort (the client left during [DONE]): the counts stand, marked partial.
        let chatStream = FixturesOpenAIChat.stream
        let duringDone = String(chatStream[..<chatStream.range(of: "data: [DONE]")!.lowerBound]) + "data: [DO"
        var chat = FixturesOpenAIChat.streamReport
        chat.partial = true
        #expect(Self.stream(duringDone, complete: false) == chat)
        // A JSON body that did not arrive whole is not parsed.
        let body = FixturesOpenAIChat.plain.utf8Bytes
        #expect(
            UsageTapDriver.report(Array(body.prefix(200)), contentType: "application/json", complete: false)
                == .unknown(.truncated, partial: true))
    }

    @Test func aStreamPastItsLastEventIsWholeWhenTheClientCloses() {
        // The OpenAI SDKs stop reading at `data: [DONE]` and close the connection, often before
        // the chunked body's terminator: the usage is whole, not partial (found by
        // scripts/sdk-check.sh). Likewise after Anthropic's message_stop and a final Responses event.
        #expect(Self.stream(FixturesOpenAIChat.stream, complete: false) == FixturesOpenAIChat.streamReport)
        #expect(
            Self.stream(FixturesOpenAIChat.streamWithoutUsage, complete: false) == .unknown(.noUsage, partial: false))
        #expect(
            Self.stream(FixturesAnthropicMessages.stream, complete: false) == FixturesAnthropicMessages.streamReport)
        #expect(Self.stream(FixturesOpenAIResponses.stream, complete: false) == FixturesOpenAIResponses.streamReport)
        // gzip and chunked, everything but the terminating chunk.
        let framed = UsageTapDriver.chunked(UsageTapDriver.gzip(FixturesOpenAIChat.stream.utf8Bytes))
        let unterminated = Array(framed[..<(framed.count - "0\r\nx-trailer: 1\r\n\r\n".utf8.count)])
        #expect(
            UsageTapDriver.report(
                unterminated, contentType: "text/event-stream", encoding: "gzip", chunked: true,
                complete: false) == FixturesOpenAIChat.streamReport)

        // Before the last event the stream is still cut short.
        let anthropic = FixturesAnthropicMessages.stream
        let beforeStop = String(anthropic[..<anthropic.range(of: "event: message_stop")!.lowerBound])
        var partial = FixturesAnthropicMessages.streamReport
        partial.partial = true
        #expect(Self.stream(beforeStop, complete: false) == partial)
        // The names inside text are not the last event.
        let quoted =
            #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"message_stop"}}"#
            + "\n\n" + #"data: "[DONE]""# + "\n\n"
        #expect(Self.stream(beforeStop + quoted, complete: false) == partial)
        // A WebSocket session carries many responses: one final event does not end it.
        var ws = UsageTap.webSocket()
        let completed = FixturesOpenAIResponses.stream.split(separator: "\n").first {
            $0.contains("\"response.completed\"")
        }!
        ws.observeMessage(ByteBuffer(string: String(completed.dropFirst("data: ".count))))
        var wsPartial = FixturesOpenAIResponses.streamReport
        wsPartial.partial = true
        #expect(ws.finish(complete: false) == wsPartial)
    }

    /// An event too large to hold is scanned: its usage counts, and one without readable usage
    /// leaves the response `too_large` unless later usage is found.
    @Test func anOversizedEventIsScannedAndLaterUsageCounts() {
        let pad = String(repeating: "p", count: UsageTap.maxEventBytes)
        let huge = "data: {\"usage\":{\"prompt_tokens\":1},\"pad\":\"" + pad + "\"}\n\n"
        #expect(Self.stream(huge) == UsageReport(dialect: .chatCompletions, input: 1))
        let unreadable = "data: {\"pad\":\"" + pad + "\"}\n\n"
        #expect(Self.stream(unreadable) == .unknown(.tooLarge, partial: false))
        #expect(Self.stream(unreadable + FixturesOpenAIChat.stream) == FixturesOpenAIChat.streamReport)
    }

    @Test func aHundredMegabyteJSONBodyStaysBounded() {
        var tap = UsageTap(status: 200, contentType: "application/json", contentEncoding: nil, chunked: false)
        var slice = ByteBuffer(repeating: UInt8(ascii: " "), count: 64 << 10)
        slice.setString("{\"usage\":", at: 0)
        var peak = 0
        for index in 0..<(100 * 16) {
            tap.observe(slice)
            if index == 0 { slice.setString("         ", at: 0) }
            peak = max(peak, tap.retainedBytes)
        }
        #expect(peak <= UsageTap.maxJSONBodyBytes + 4096)
        // Past the bound only the scan's state is held; whitespace is not kept.
        #expect(tap.retainedBytes <= 4096)
        #expect(tap.finish(complete: true) == .unknown(.tooLarge, partial: false))
    }

    @Test func aHundredMegabyteStreamStaysBoundedAndStillCounts() {
        var tap = UsageTap(status: 200, contentType: "text/event-stream", contentEncoding: nil, chunked: false)
        // Ordinary 1 KiB events, a 3 MiB event in the middle, then the real usage chunk.
        let event = "data: {\"choices\":[{\"delta\":{\"content\":\"" + String(repeating: "t", count: 990) + "\"}}]}\n\n"
        var slice = ByteBuffer()
        while slice.readableBytes + event.utf8.count <= 64 << 10 { slice.writeString(event) }
        let slices = (100 << 20) / slice.readableBytes
        var peak = 0
        for index in 0..<slices {
            if index == slices / 2 {
                tap.observe(ByteBuffer(string: "data: "))
                for _ in 0..<48 { tap.observe(ByteBuffer(repeating: UInt8(ascii: "x"), count: 64 << 10)) }
                tap.observe(ByteBuffer(string: "\n\n"))
            }
            tap.observe(slice)
            peak = max(peak, tap.retainedBytes)
        }
        tap.observe(ByteBuffer(string: FixturesOpenAIChat.stream))
        #expect(peak <= UsageTap.maxEventBytes + 4096)
        #expect(tap.retainedBytes <= SSEEventFramer.keptCapacity)
        #expect(tap.finish(complete: true) == FixturesOpenAIChat.streamReport)
    }

    @Test func aGzipBombIsHeldOnlyUpToTheJSONBound() {
        // 64 MiB of spaces compress to about 64 KiB; past the bound the body is scanned, not held.
        let payload = Array("{\"usage\":".utf8) + [UInt8](repeating: UInt8(ascii: " "), count: 64 << 20)
        let encoded = UsageTapDriver.gzip(payload)
        var tap = UsageTap(status: 200, contentType: "application/json", contentEncoding: "gzip", chunked: false)
        var peak = 0
        for piece in UsageTapDriver.cut(encoded, Array(repeating: 4096, count: encoded.count / 4096)) {
            tap.observe(ByteBuffer(bytes: piece))
            peak = max(peak, tap.retainedBytes)
        }
        #expect(peak <= UsageTap.maxJSONBodyBytes + 4096)
        #expect(tap.finish(complete: true) == .unknown(.tooLarge, partial: false))
    }
}
