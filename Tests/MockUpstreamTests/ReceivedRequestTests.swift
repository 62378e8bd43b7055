import Foundation
import MockUpstream
import Testing

@Suite struct ReceivedRequestTests {
    let headerSecret = "sk-header-secret-value"
    let querySecret = "qsecret-4242"

    func sample(uri: String? = nil) -> ReceivedRequest {
        ReceivedRequest(
            method: "POST",
            uri: uri ?? "/v1/chat/completions?model=gpt&api_key=\(querySecret)",
            headers: [
                (name: "Host", value: "127.0.0.1:9201"),
                (name: "Authorization", value: "Bearer \(headerSecret)"),
                (name: "Content-Type", value: "application/json"),
            ],
            bodyBytes: 27)
    }

    @Test func splitsPathAndQuery() {
        let request = sample()
        #expect(request.path == "/v1/chat/completions")
        #expect(request.query.map(\.name) == ["model", "api_key"])
        #expect(request.query.first?.value == "gpt")
    }

    @Test func listsEveryCredentialRedacted() {
        let request = sample()
        #expect(
            request.credentials == [
                ReceivedCredential(location: "query", name: "api_key", redactedValue: "<redacted, 12 chars>"),
                ReceivedCredential(
                    location: "header", name: "authorization", redactedValue: "Bearer <redacted, 22 chars>"),
            ])
        #expect(request.headers.map(\.name) == ["host", "content-type"])
    }

    @Test func lineAndJSONNeverCarryTheSecrets() throws {
        let request = sample()
        for output in [request.line, request.jsonBody()] {
            #expect(!output.contains(headerSecret))
            #expect(!output.contains(querySecret))
        }
        #expect(
            request.line.contains(
                "credential: query api_key=<redacted, 12 chars>, header authorization=Bearer <redacted, 22 chars>"))
        let decoded = try JSONDecoder().decode(ReceivedRequest.self, from: Data(request.jsonBody().utf8))
        #expect(decoded == request)
    }

    @Test func saysWhenNoCredentialArrived() {
        let request = ReceivedRequest(method: "GET", uri: "/v1/models", headers: [], bodyBytes: 0)
        #expect(request.credentials.isEmpty)
        #expect(request.line.contains("credential: NONE"))
    }

    @Test(arguments: ["/v1/stream", "/v1/chat?stream=1", "/v1/chat?x=1&stream=true"])
    func streamRequests(uri: String) {
        #expect(sample(uri: uri).stream)
    }

    @Test(arguments: ["/v1/chat", "/v1/streams", "/v1/chat?stream=0", "/v1/stream/x"])
    func ordinaryRequests(uri: String) {
        #expect(!sample(uri: uri).stream)
    }
}
