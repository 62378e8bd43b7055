import NIOCore
import NIOPosix
import Testing

@testable import MockUpstream
@testable import PiapiGateway

/// The mock's dialect answers, read back through piapi's usage tap: what the mock documents
/// as its usage is what the tap reports, plain or streamed, gzipped or not, over the socket too.
@Suite struct MockDialectTests {
    static let expected: [MockDialect: UsageReport] = [
        .chat: UsageReport(dialect: .chatCompletions, input: 176, cacheRead: 1024, output: 300, reasoning: 128),
        .responses: UsageReport(dialect: .responses, input: 220, cacheRead: 1280, output: 420, reasoning: 256),
        .messages: UsageReport(dialect: .messages, input: 35, cacheRead: 4096, cacheWrite: 2048, output: 390),
    ]

    static func expected(_ answer: MockDialectAnswer) -> UsageReport {
        var report = expected[answer.dialect]!
        report.model = answer.model
        return report
    }

    @Test(arguments: [
        ("/v1/chat?dialect=chat", MockDialect?.some(.chat)),
        ("/v1/x?stream=1&dialect=responses&gzip=1", .responses),
        ("/dialect/messages/v1/messages", .messages),
        ("/dialect/chat", .chat),
        ("/v1/chat/completions", nil),
        ("/v1/x?dialect=other", nil),
        ("/dialect/other/v1", nil),
        ("/v1/dialect/chat", nil),
    ])
    func dialectFromTheURI(uri: String, expected: MockDialect?) {
        #expect(MockDialect(uri: uri) == expected)
    }

    @Test func answersFollowTheRequestBody() {
        let request = ReceivedRequest(
            method: "POST", uri: "/dialect/chat/v1/chat/completions", headers: [], bodyBytes: 0)
        let streamed = MockDialectAnswer(
            dialect: .chat, request: request,
            body: Array(#"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true}}"#.utf8))
        #expect(
            streamed
                == MockDialectAnswer(dialect: .chat, stream: true, gzip: false, includeUsage: true, model: "gpt-4o"))
        let withoutUsage = MockDialectAnswer(dialect: .chat, request: request, body: Array(#"{"stream":true}"#.utf8))
        #expect(withoutUsage.stream && !withoutUsage.includeUsage)
        let byQuery = ReceivedRequest(method: "POST", uri: "/v1/stream?dialect=chat&gzip=1", headers: [], bodyBytes: 0)
        #expect(
            MockDialectAnswer(dialect: .chat, request: byQuery, body: Array("not json".utf8))
                == MockDialectAnswer(dialect: .chat, stream: true, gzip: true))
    }

    @Test(arguments: MockDialect.allCases)
    func bodiesCarryTheDocumentedUsage(dialect: MockDialect) {
        for stream in [false, true] {
            for gzip in [false, true] {
                let answer = MockDialectAnswer(dialect: dialect, stream: stream, gzip: gzip)
                let texts = stream ? answer.streamEvents(deltas: 4).map(\.text) : [answer.jsonBody(deltas: 4)]
                let encoder = gzip ? GzipEncoder() : nil
                var tap = UsageTap(
                    status: 200, contentType: answer.contentType, contentEncoding: gzip ? "gzip" : nil, chunked: false)
                for text in texts {
                    tap.observe(ByteBuffer(bytes: encoder?.compress(Array(text.utf8)) ?? Array(text.utf8)))
                }
                if let tail = encoder?.finish() { tap.observe(ByteBuffer(bytes: tail)) }
                #expect(tap.finish(complete: true) == Self.expected(answer), "\(answer.summary)")
            }
        }
    }

    @Test func aChatStreamWithoutIncludeUsageHasNone() {
        let answer = MockDialectAnswer(dialect: .chat, stream: true, gzip: false, includeUsage: false)
        var tap = UsageTap(status: 200, contentType: answer.contentType, contentEncoding: nil, chunked: false)
        for event in answer.streamEvents(deltas: 3) { tap.observe(ByteBuffer(string: event.text)) }
        #expect(tap.finish(complete: true) == .unknown(.noUsage, partial: false))
    }

    @Test(arguments: [
        ("POST /v1/messages?dialect=messages&stream=1&gzip=1 HTTP/1.1", "", "claude-sonnet-4-20250514"),
        ("POST /v1/responses?dialect=responses&gzip=1 HTTP/1.1", #"{"model":"o3"}"#, "o3"),
        (
            "POST /dialect/chat/v1/chat/completions HTTP/1.1",
            #"{"model":"gpt-4o","stream":true,"stream_options":{"include_usage":true}}"#, "gpt-4o"
        ),
    ])
    func overTheSocketAsTheGatewayWouldTapIt(requestLine: String, body: String, model: String) async throws {
        try await RunningMockUpstream.with(events: 3) { mock in
            let request =
                "\(requestLine)\r\nHost: up\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
            let bytes = try await Self.exchangeBytes(port: mock.port, request: request)
            let headEnd = try #require(Self.headLength(bytes))
            let head = try #require(ResponseHead(parsing: ByteBuffer(bytes: bytes[..<headEnd]), requestWasHead: false))
            var tap = UsageTap(head: head)
            tap.observe(ByteBuffer(bytes: bytes[headEnd...]))
            let report = tap.finish(complete: true)
            #expect(report.model == model)
            #expect(report.unknownReason == nil)
            #expect(report.output != nil && report.input != nil)
            #expect(mock.lines.first?.contains("| answer: ") == true)
        }
    }

    /// The raw bytes of a `Connection: close` answer.
    static func exchangeBytes(port: Int, request: String) async throws -> [UInt8] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var bytes: [UInt8] = []
            for try await buffer in inbound { bytes += buffer.readableBytesView }
            return bytes
        }
    }

    /// The length of the head including its blank line.
    static func headLength(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i..<(i + 4)].elementsEqual([13, 10, 13, 10]) {
            return i + 4
        }
        return nil
    }
}
