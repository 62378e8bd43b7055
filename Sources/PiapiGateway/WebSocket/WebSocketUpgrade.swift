/// Whether a request asks to become a WebSocket (RFC 6455 §4.1) and whether an upstream's
/// `101` accepts exactly that. Pure functions of the parsed heads: the proxy asks them once
/// per request and once per `101`.
enum WebSocketUpgrade {
    static let upgradeToken = Array("upgrade".utf8)
    static let websocketToken = Array("websocket".utf8)
    private static let get = Array("GET".utf8)

    /// The lines the upstream request head carries in place of the client's `Connection` and
    /// `Upgrade` (both hop-by-hop, so dropped like any others); the client's `Sec-WebSocket-*`
    /// pass as ordinary end-to-end headers.
    static let upstreamHeaderLines: StaticString = "connection: upgrade\r\nupgrade: websocket\r\n"

    /// A `GET` over HTTP/1.1 without a body, with `upgrade` among the `Connection` tokens and
    /// `websocket` among the `Upgrade` tokens. Any other upgrade (h2c, a TLS upgrade, a body
    /// beside it) is not a WebSocket one: `Upgrade` is then dropped as before.
    static func isRequested(_ head: RequestHead) -> Bool {
        guard !head.isHTTP10, head.connectionTokens.contains(upgradeToken) else { return false }
        if case .none = head.framing {} else { return false }
        return head.bytes.withUnsafeReadableBytes { b in
            guard ASCII.equals(b, head.method, get) else { return false }
            return head.fields.contains { field in
                ASCII.equalsIgnoringCase(b, field.name, HeaderName.upgrade) && hasToken(b, field.value, websocketToken)
            }
        }
    }

    /// A `101` that switches to `websocket`: anything else after an upgrade request (a 101 to
    /// another protocol, one without `Upgrade`) is not a tunnel the gateway can vouch for.
    static func accepts(_ head: ResponseHead) -> Bool {
        guard head.status == 101, let value = head.value(of: HeaderName.upgrade) else { return false }
        return Array(value.utf8).withUnsafeBytes { hasToken($0, 0..<$0.count, websocketToken) }
    }

    private static func hasToken(_ b: UnsafeRawBufferPointer, _ value: Range<Int>, _ token: [UInt8]) -> Bool {
        var found = false
        ASCII.forEachToken(b, value) { if ASCII.equalsIgnoringCase(b, $0, token) { found = true } }
        return found
    }
}
