import NIOCore
import NIOHTTP1

/// Serves one client connection: reads each request to its end, reports it, then answers
/// with the JSON report or, for a stream request, paced SSE events and `data: [DONE]`.
struct MockConnectionHandler: Sendable {
    let settings: MockUpstreamSettings
    let report: @Sendable (String) -> Void

    func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var bodyBytes = 0
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    bodyBytes = 0
                case .body(let buffer):
                    bodyBytes += buffer.readableBytes
                case .end:
                    guard let requestHead = head else { continue }
                    let request = ReceivedRequest(
                        method: requestHead.method.rawValue,
                        uri: requestHead.uri,
                        headers: requestHead.headers.map { (name: $0.name, value: $0.value) },
                        bodyBytes: bodyBytes)
                    if request.stream {
                        report(request.line + " | answer: \(settings.events) SSE events, \(settings.delayMilliseconds) ms apart")
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
