import Foundation

/// What the mock saw of one request, credentials redacted: printed as one readable line for
/// the operator and sent back as the JSON answer body so the client sees it too.
public struct ReceivedRequest: Sendable, Equatable, Codable {
    public var method: String
    /// The path without the query string, exactly as received (not percent-decoded).
    public var path: String
    public var query: [NameValue]
    public var credentials: [ReceivedCredential]
    /// Every other header, in arrival order.
    public var headers: [NameValue]
    public var bodyBytes: Int
    /// True when the answer is an SSE stream (path ends in `/stream`, or `stream=1|true`).
    public var stream: Bool

    enum CodingKeys: String, CodingKey {
        case method, path, query, credentials, headers, stream
        case bodyBytes = "body_bytes"
    }

    public init(method: String, uri: String, headers: [(name: String, value: String)], bodyBytes: Int) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        self.path = parts.first.map(String.init) ?? ""
        self.bodyBytes = bodyBytes
        self.credentials = []
        self.query = []
        self.headers = []

        var wantsStream = path.hasSuffix("/stream")
        if parts.count == 2 {
            for item in parts[1].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0])
                let value = pair.count == 2 ? String(pair[1]) : ""
                if name == "stream", value == "1" || value == "true" {
                    wantsStream = true
                }
                if CredentialRedactor.isSensitive(name: name) {
                    let redacted = CredentialRedactor.redact(value)
                    query.append(NameValue(name: name, value: redacted))
                    credentials.append(ReceivedCredential(location: "query", name: name, redactedValue: redacted))
                } else {
                    query.append(NameValue(name: name, value: value))
                }
            }
        }
        self.stream = wantsStream

        for (name, value) in headers {
            let lowered = name.lowercased()
            if CredentialRedactor.isSensitive(name: lowered) {
                credentials.append(
                    ReceivedCredential(
                        location: "header", name: lowered, redactedValue: CredentialRedactor.redact(value)))
            } else {
                self.headers.append(NameValue(name: lowered, value: value))
            }
        }
    }

    /// One line for a terminal, e.g.
    /// `POST /v1/chat?api_key=<redacted, 12 chars> | credential: query api_key=<redacted, 12 chars> | headers: host: … | body: 27 bytes`.
    public var line: String {
        var target = path
        if !query.isEmpty {
            target += "?" + query.map { $0.value.isEmpty ? $0.name : "\($0.name)=\($0.value)" }.joined(separator: "&")
        }
        let credentialText =
            credentials.isEmpty
            ? "credential: NONE"
            : "credential: "
                + credentials.map { "\($0.location) \($0.name)=\($0.redactedValue)" }.joined(separator: ", ")
        let headerText = "headers: " + headers.map { "\($0.name): \($0.value)" }.joined(separator: "; ")
        return "\(method) \(target) | \(credentialText) | \(headerText) | body: \(bodyBytes) bytes"
    }

    /// The JSON answer body: this report with sorted keys, newline-terminated.
    public func jsonBody() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
