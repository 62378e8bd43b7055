import NIOCore
import RouteTable
import Testing

@testable import PiapiGateway

/// Which request heads are WebSocket upgrades, which `101`s accept one, and what the
/// handshake's heads look like on the wire each way.
@Suite struct WebSocketUpgradeTests {
    static func head(_ lines: [String], method: String = "GET", version: String = "HTTP/1.1") throws -> RequestHead {
        try RequestHead(
            parsing: ByteBuffer(
                string: "\(method) /piapi/codex/responses \(version)\r\n"
                    + lines.map { $0 + "\r\n" }.joined() + "\r\n"))
    }

    static let handshake = [
        "host: gw", "Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ]

    @Test func websocketUpgradesAreRecognised() throws {
        #expect(WebSocketUpgrade.isRequested(try Self.head(Self.handshake)))
        #expect(
            WebSocketUpgrade.isRequested(try Self.head(["connection: keep-alive, UPGRADE", "upgrade: h2c, WebSocket"])))
    }

    @Test(arguments: [
        (["connection: upgrade", "upgrade: h2c"], "GET", "HTTP/1.1"),  // another protocol
        (["upgrade: websocket"], "GET", "HTTP/1.1"),  // Upgrade not listed in Connection
        (["connection: upgrade"], "GET", "HTTP/1.1"),  // no Upgrade header
        (["connection: upgrade", "upgrade: websocket"], "POST", "HTTP/1.1"),
        (["connection: upgrade", "upgrade: websocket"], "GET", "HTTP/1.0"),
        (["connection: upgrade", "upgrade: websocket", "content-length: 3"], "GET", "HTTP/1.1"),  // a body
    ])
    func otherRequestsAreNot(lines: [String], method: String, version: String) throws {
        #expect(!WebSocketUpgrade.isRequested(try Self.head(lines, method: method, version: version)))
    }

    static func response(_ text: String) throws -> ResponseHead {
        try #require(ResponseHead(parsing: ByteBuffer(string: text), requestWasHead: false))
    }

    @Test func only101ToWebsocketIsAccepted() throws {
        #expect(
            WebSocketUpgrade.accepts(
                try Self.response(
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: WebSocket\r\nConnection: Upgrade\r\n\r\n")))
        #expect(
            !WebSocketUpgrade.accepts(try Self.response("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n")))
        #expect(!WebSocketUpgrade.accepts(try Self.response("HTTP/1.1 101 Switching Protocols\r\n\r\n")))
        #expect(
            !WebSocketUpgrade.accepts(
                try Self.response("HTTP/1.1 200 OK\r\nUpgrade: websocket\r\ncontent-length: 0\r\n\r\n")))
    }

    /// The client gets the 101 with its upgrade headers, the Sec-WebSocket-* answers, no
    /// framing headers and nothing that holds the credential.
    @Test func the101WrittenToTheClient() throws {
        var head = try Self.response(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: permessage-deflate\r\n"
                + "Content-Length: 5\r\nX-Echo: Bearer sk-secret-key\r\n\r\n")
        let target = PreparedTarget(
            target: Target(
                provider: "p", keyName: "k", serviceType: "codex",
                upstream: Upstream(scheme: .http, host: "h", port: 80, basePath: "", baseQuery: ""),
                injection: Injection(
                    mode: .header, name: "Authorization", value: SecretTemplate(literal: "Bearer sk-secret-key"))),
            credential: "Bearer sk-secret-key")
        head.hiddenCredential = InjectedCredential(target)
        var out = ByteBuffer()
        head.write(to: &out, requestID: "req-1", closeClient: false, toHTTP10: false, webSocket: true)
        let text = String(buffer: out).lowercased()
        #expect(text.hasPrefix("http/1.1 101 switching protocols\r\n"))
        #expect(text.contains("\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n"))
        #expect(text.contains("sec-websocket-accept: s3pplmbitxaq9kygzzhzrbk+xoo=\r\n"))
        #expect(text.contains("sec-websocket-extensions: permessage-deflate\r\n"))
        #expect(!text.contains("content-length"))
        #expect(!text.contains("sk-secret-key"))
    }

    @Test(arguments: [
        (nil as String?, WebSocketExtensions.none),
        ("", .none),
        ("permessage-deflate", .deflate(serverNoContextTakeover: false)),
        (
            "permessage-deflate; client_max_window_bits=15; server_no_context_takeover",
            .deflate(serverNoContextTakeover: true)
        ),
        ("PerMessage-Deflate ; Server_No_Context_Takeover", .deflate(serverNoContextTakeover: true)),
        ("x-webkit-deflate-frame", .unreadable),
        ("permessage-deflate, permessage-deflate", .unreadable),
    ])
    func negotiatedExtensions(header: String?, expected: WebSocketExtensions) {
        #expect(WebSocketExtensions(header: header.map { Substring($0) }) == expected)
    }
}
