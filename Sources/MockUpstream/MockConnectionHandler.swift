import NIOCore
import NIOHTTP1

/// Serves one client connection: reads each request to its end, reports it, then answers
/// with the JSON report or, for a stream request, paced SSE events and `data: [DONE]`; a
/// request naming a dialect (`MockDialect`) gets that API's answer instead (`MockDialectAnswer`).
struct MockConnectionHandler: Sendable {
    let settings: MockUpstreamSettings
    let report: @Sendable (String) -> Void

    func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var bodyBytes = 0
            var dialect: MockDialect?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    bodyBytes = 0
                    dialect = MockDialect(uri: requestHead.uri)
                    body = []
                case .body(let buffer):
                    bodyBytes += buffer.readableBytes
                    // A dialect answer reads `model` and `stream` from the request body.
                    if dialect != nil, body.count + buffer.readableBytes <= Self.maxDialectRequestBody {
                        body += buffer.readableBytesView
                    }
                case .end:
                    guard let requestHead = head else { continue }
                    let request = ReceivedRequest(
                        method: requestHead.method.rawValue,
                        uri: requestHead.uri,
                        headers: requestHead.headers.map { (name: $0.name, value: $0.value) },
                        bodyBytes: bodyBytes)
                    if let dialect {
                        let answer = MockDialectAnswer(dialect: dialect, request: request, body: body)
                        report(request.line + " | answer: \(answer.summary)")
                        try await answerInDialect(answer, keepAlive: requestHead.isKeepAlive, to: outbound)
                    } else if request.stream {
                        report(
                            request.line
                                + " | answer: \(settings.events) SSE events, \(settings.delayMilliseconds) ms apart")
                        try await streamEvents(keepAlive: requestHead.isKeepAlive, to: outbound)
                    } else {
                        report(request.line + " | answer: 200 JSON")
                        try await answerJSON(request, keepAlive: requestHead.isKeepAlive, to: outbound)
                    }
                    if !requestHead.isKeepAlive {
                        return
                    }
                    head = nil
                }
            }
        }
    }

    /// The request body kept for a dialect answer; a larger one is answered with defaults.
    static let maxDialectRequestBody = 1 << 20

    private func answerInDialect(
        _ answer: MockDialectAnswer, keepAlive: Bool, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: answer.contentType)
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        if answer.gzip { headers.add(name: "content-encoding", value: "gzip") }
        let encoder = answer.gzip ? GzipEncoder() : nil
        func encoded(_ text: String) -> ByteBuffer {
            ByteBuffer(bytes: encoder?.compress(Array(text.utf8)) ?? Array(text.utf8))
        }
        guard answer.stream else {
            var body = encoded(answer.jsonBody(deltas: settings.events))
            if let tail = encoder?.finish() { body.writeBytes(tail) }
            headers.add(name: "content-length", value: String(body.readableBytes))
            try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
            try await outbound.write(.body(.byteBuffer(body)))
            try await outbound.write(.end(nil))
            return
        }
        headers.add(name: "cache-control", value: "no-cache")
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
        for event in answer.streamEvents(deltas: settings.events) {
            if event.paced { try await Task.sleep(for: .milliseconds(settings.delayMilliseconds)) }
            try await outbound.write(.body(.byteBuffer(encoded(event.text))))
        }
        if let tail = encoder?.finish() { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: tail)))) }
        try await outbound.write(.end(nil))
    }

    private func answerJSON(
        _ request: ReceivedRequest, keepAlive: Bool, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        let body = ByteBuffer(string: request.jsonBody())
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "content-length", value: String(body.readableBytes))
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
        try await outbound.write(.body(.byteBuffer(body)))
        try await outbound.write(.end(nil))
    }

    private func streamEvents(
        keepAlive: Bool, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/event-stream")
        headers.add(name: "cache-control", value: "no-cache")
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers)))
        for index in stride(from: 1, through: settings.events, by: 1) {
            try await Task.sleep(for: .milliseconds(settings.delayMilliseconds))
            let event = "data: {\"event\":\(index),\"of\":\(settings.events)}\n\n"
            try await outbound.write(.body(.byteBuffer(ByteBuffer(string: event))))
        }
        try await outbound.write(.body(.byteBuffer(ByteBuffer(string: "data: [DONE]\n\n"))))
        try await outbound.write(.end(nil))
    }
}
