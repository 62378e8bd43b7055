import Foundation
import MockUpstream
import PiapiTestSupport
import Testing

@Suite struct MockUpstreamServerTests {
    let userSecret = "sk-upstream-secret-9f8e7d"

    @Test func answersWithWhatItReceivedRedacted() async throws {
        try await RunningMockUpstream.with { mock in
            let response = try await TestConnection.request(
                port: mock.port,
                "POST /v1/chat?api_key=\(userSecret)&model=m HTTP/1.1\r\nHost: up\r\n"
                    + "x-api-key: \(userSecret)\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
            #expect(response.status == 200)
            #expect(!response.headers.contains { $0.1.contains(userSecret) })
            let received = try JSONDecoder().decode(ReceivedRequest.self, from: Data(response.body))
            #expect(received.method == "POST")
            #expect(received.path == "/v1/chat")
            #expect(received.bodyBytes == 5)
            #expect(received.credentials.map(\.name) == ["api_key", "x-api-key"])
            #expect(!response.text.contains(userSecret))

            let lines = mock.lines
            #expect(lines.count == 1)
            #expect(lines.allSatisfy { !$0.contains(userSecret) })
            #expect(lines.first?.contains("header x-api-key=<redacted, \(userSecret.count) chars>") == true)
        }
    }

    @Test func servesSeveralRequestsOnOneConnection() async throws {
        try await RunningMockUpstream.with { mock in
            let connection = try await TestConnection(port: mock.port)
            try await connection.send(
                "GET /a HTTP/1.1\r\nHost: up\r\n\r\nGET /b HTTP/1.1\r\nHost: up\r\nConnection: close\r\n\r\n")
            #expect(try await connection.readResponse().status == 200)
            #expect(try await connection.readResponse().status == 200)
            try await connection.waitForClose()
            #expect(connection.receivedBytes.isEmpty)
            #expect(mock.lines.count == 2)
        }
    }

    @Test func streamsEventsAsTheyAreProduced() async throws {
        // 400 ms apart: a test runner starved for less than 0.8 s still sees them apart.
        try await RunningMockUpstream.with(events: 3, delayMilliseconds: 400) { mock in
            let connection = try await TestConnection(port: mock.port)
            try await connection.send(
                "POST /v1/stream HTTP/1.1\r\nHost: up\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")
            // The events are written apart: when the first one is here the last is not, so the
            // stream was not buffered to its end.
            try await connection.waitFor { bytes, _ in TestConnection.find(Array("\"event\":1".utf8), in: bytes) != nil
            }
            #expect(!connection.received("[DONE]"))
            let response = try await connection.readResponse(seconds: 10)
            #expect(response.header("content-type") == "text/event-stream")
            for index in 1...3 {
                #expect(response.text.contains("data: {\"event\":\(index),\"of\":3}\n\n"))
            }
            #expect(response.text.contains("data: [DONE]\n\n"))
            #expect(mock.lines.first?.contains("answer: 3 SSE events") == true)
        }
    }
}
