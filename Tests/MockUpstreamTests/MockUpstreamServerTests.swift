import Foundation
import MockUpstream
import Testing

@Suite struct MockUpstreamServerTests {
    let userSecret = "sk-upstream-secret-9f8e7d"

    @Test func answersWithWhatItReceivedRedacted() async throws {
        try await RunningMockUpstream.with { mock in
            let reads = try await RawHTTPClient.exchange(
                port: mock.port,
                request: "POST /v1/chat?api_key=\(userSecret)&model=m HTTP/1.1\r\nHost: up\r\n"
                    + "x-api-key: \(userSecret)\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
            let whole = reads.joined()
            #expect(whole.hasPrefix("HTTP/1.1 200 OK"))
            let received = try JSONDecoder().decode(ReceivedRequest.self, from: Data(RawHTTPClient.body(of: reads).utf8))
            #expect(received.method == "POST")
            #expect(received.path == "/v1/chat")
            #expect(received.bodyBytes == 5)
            #expect(received.credentials.map(\.name) == ["api_key", "x-api-key"])
            #expect(!whole.contains(userSecret))

            let lines = mock.lines
            #expect(lines.count == 1)
            #expect(lines.allSatisfy { !$0.contains(userSecret) })
            #expect(lines.first?.contains("header x-api-key=<redacted, \(userSecret.count) chars>") == true)
        }
    }

    @Test func servesSeveralRequestsOnOneConnection() async throws {
        try await RunningMockUpstream.with { mock in
            let reads = try await RawHTTPClient.exchange(
                port: mock.port,
                request: "GET /a HTTP/1.1\r\nHost: up\r\n\r\nGET /b HTTP/1.1\r\nHost: up\r\nConnection: close\r\n\r\n")
            let whole = reads.joined()
            #expect(whole.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
            #expect(mock.lines.count == 2)
        }
    }

    @Test func streamsEventsAsTheyAreProduced() async throws {
        // 400 ms apart: a test runner starved for less than 0.8 s still sees them apart.
        try await RunningMockUpstream.with(events: 3, delayMilliseconds: 400) { mock in
            let reads = try await RawHTTPClient.exchange(
                port: mock.port,
                request: "POST /v1/stream HTTP/1.1\r\nHost: up\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
            let whole = reads.joined()
            #expect(whole.contains("content-type: text/event-stream"))
            for index in 1...3 {
                #expect(whole.contains("data: {\"event\":\(index),\"of\":3}\n\n"))
            }
            #expect(whole.contains("data: [DONE]\n\n"))
            // The events were written apart, so they cannot all have arrived in the read that
            // brought the first one: the stream was not buffered to its end.
            let firstEventRead = try #require(reads.firstIndex { $0.contains("\"event\":1") })
            #expect(!reads[firstEventRead].contains("[DONE]"))
            #expect(mock.lines.first?.contains("answer: 3 SSE events") == true)
        }
    }
}
