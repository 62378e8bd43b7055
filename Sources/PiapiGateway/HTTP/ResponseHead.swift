import NIOCore

/// An upstream's response head, parsed strictly enough to frame its body and rewritten for
/// the client: hop-by-hop headers dropped, the provider credential kept out, the gateway's
/// `X-Request-ID` added.
struct ResponseHead {
    let bytes: ByteBuffer
    let status: Int
    var framing: BodyFraming
    /// The upstream asked to close (or cannot keep the connection alive).
    var closesConnection: Bool
    /// The credential the request carried upstream, set by the client side once it knows
    /// which try this head answers: `write` keeps it out of what the client gets.
    var hiddenCredential: InjectedCredential?
    private let fields: [HeaderField]
    private let connectionTokens: [[UInt8]]
    private let statusLineEnd: Int
    /// The head has `Transfer-Encoding`: its body is chunked and any `Content-Length` is void.
    private let hasTransferEncoding: Bool

    private static let chunked = Array("chunked".utf8)
    private static let close = Array("close".utf8)
    private static let keepAlive = Array("keep-alive".utf8)
    private static let statusPrefix = Array("HTTP/1.1 ".utf8)

    /// Nil when the head is not a valid HTTP/1.x response or its framing is not strictly valid.
    init?(parsing bytes: ByteBuffer, requestWasHead: Bool) {
        self.bytes = bytes
        guard let parsed = bytes.withUnsafeReadableBytes({ Self.parse($0, requestWasHead: requestWasHead) }) else {
            return nil
        }
        status = parsed.status
        framing = parsed.framing
        closesConnection = parsed.closesConnection
        fields = parsed.fields
        connectionTokens = parsed.connectionTokens
        statusLineEnd = parsed.statusLineEnd
        hasTransferEncoding = parsed.hasTransferEncoding
    }

    /// The client must be closed after this response (its end is the connection's end): the
    /// upstream delimits it so, or the client is HTTP/1.0 and gets a chunked body de-chunked.
    func endsWithClose(toHTTP10 http10: Bool) -> Bool {
        switch framing {
        case .untilClose: true
        case .chunked: http10
        case .none, .length: false
        }
    }

    /// An HTTP/1.0 client gets this body's payload without its chunk framing (HTTP/1.0 has
    /// none): the close that follows ends it.
    func isDechunked(toHTTP10 http10: Bool) -> Bool {
        if http10, case .chunked = framing { return true }
        return false
    }

    /// The parse result before it is copied into the head (keeps `parse` a pure function).
    private struct Parts {
        var status: Int
        var framing: BodyFraming
        var closesConnection: Bool
        var fields: [HeaderField]
        var connectionTokens: [[UInt8]]
        var statusLineEnd: Int
        var hasTransferEncoding: Bool
    }

    private static func parse(_ b: UnsafeRawBufferPointer, requestWasHead: Bool) -> Parts? {
        let n = b.count
        // "HTTP/1.x SSS[ reason]CRLF"
        guard n >= 16, b[0] == UInt8(ascii: "H"), b[1] == UInt8(ascii: "T"), b[2] == UInt8(ascii: "T"),
            b[3] == UInt8(ascii: "P"), b[4] == UInt8(ascii: "/"), b[5] == UInt8(ascii: "1"),
            b[6] == UInt8(ascii: "."), b[8] == ASCII.space,
            let status = ASCII.parseDecimal(b, 9..<12), status >= 100, status <= 599,
            b[12] == ASCII.space || b[12] == ASCII.cr
        else { return nil }
        let isHTTP10 = b[7] == UInt8(ascii: "0")
        guard isHTTP10 || b[7] == UInt8(ascii: "1") else { return nil }
        // The status code is exactly three digits and the reason phrase HTAB, SP, VCHAR or
        // obs-text (RFC 9112 §4): the line is forwarded as read, so what the log records and
        // what the client parses must be the same status, and no control byte reaches a terminal.
        var i = 12
        while i < n, b[i] != ASCII.cr {
            guard HeaderField.allowsInValue(b[i]) else { return nil }
            i += 1
        }
        guard i + 1 < n, b[i + 1] == ASCII.lf else { return nil }
        let statusLineEnd = i + 2
        guard let fields = HeaderField.parseBlock(b, from: statusLineEnd, to: n - 2) else { return nil }
        var close = isHTTP10
        var contentLength: Int?
        // RFC 9112 §6.1: the codings of every Transfer-Encoding line, in order, form one list.
        var sawTransferEncoding = false
        var finalCodingIsChunked = false
        var codingAfterChunked = false
        var tokens: [[UInt8]] = []
        for field in fields {
            switch field.role {
            case .contentLength:
                guard let v = ASCII.parseDecimal(b, field.value), contentLength == nil || contentLength == v else {
                    return nil
                }
                contentLength = v
            case .transferEncoding:
                sawTransferEncoding = true
                ASCII.forEachToken(b, field.value) { coding in
                    if finalCodingIsChunked { codingAfterChunked = true }
                    finalCodingIsChunked = ASCII.equalsIgnoringCase(b, coding, chunked)
                }
            case .connection:
                ASCII.forEachToken(b, field.value) { token in
                    if ASCII.equalsIgnoringCase(b, token, Self.close) {
                        close = true
                    } else if ASCII.equalsIgnoringCase(b, token, keepAlive) {
                        if isHTTP10 { close = false }
                    } else {
                        tokens.append(b[token].map(ASCII.lower))
                    }
                }
            default:
                break
            }
        }
        if sawTransferEncoding {
            // Only a final `chunked` (applied once) delimits a response that has codings
            // (§6.3); in an HTTP/1.0 message Transfer-Encoding means faulty framing (§6.1).
            // Reading such a body to the close instead would let a response end wherever
            // the upstream and the gateway disagree.
            guard finalCodingIsChunked, !codingAfterChunked, !isHTTP10 else { return nil }
            // Content-Length beside it is void and never forwarded; the pair smells of
            // smuggling, so the connection is not reused either (§6.3).
            if contentLength != nil { close = true }
        }
        let framing: BodyFraming
        if requestWasHead || status < 200 || status == 204 || status == 304 {
            framing = .none
        } else if sawTransferEncoding {
            framing = .chunked(.framingOnly)
        } else if let length = contentLength {
            framing = length == 0 ? .none : .length(remaining: length)
        } else {
            framing = .untilClose
            close = true
        }
        return Parts(
            status: status, framing: framing, closesConnection: close, fields: fields,
            connectionTokens: tokens, statusLineEnd: statusLineEnd, hasTransferEncoding: sawTransferEncoding)
    }

    /// The value of the first header named `lowerName` (lower-case), for the few response
    /// headers the gateway reads beyond framing.
    func value(of lowerName: [UInt8]) -> Substring? {
        bytes.withUnsafeReadableBytes { b in
            fields.first { $0.name.count == lowerName.count && ASCII.equalsIgnoringCase(b, $0.name, lowerName) }
                .map { Substring(decoding: UnsafeRawBufferPointer(rebasing: b[$0.value]), as: UTF8.self) }
        }
    }

    /// Writes the head as the client gets it. An HTTP/1.0 client (`toHTTP10`) gets no
    /// `Transfer-Encoding`: its body comes de-chunked and ends with the connection. The
    /// status line says HTTP/1.1 either way, which RFC 9110 §6.2 allows towards a 1.0 client.
    /// `rateLimit`: the user's tightest limit, sent as `RateLimit-*` in place of any the
    /// upstream sent (two sets would contradict each other).
    /// `webSocket`: the head is the `101` of a WebSocket upgrade; it says so again (its own
    /// `Connection`/`Upgrade` are hop-by-hop) and carries no framing headers.
    func write(
        to out: inout ByteBuffer, requestID: String, closeClient: Bool, toHTTP10: Bool,
        rateLimit: RateLimitStatus? = nil, webSocket: Bool = false
    ) {
        bytes.withUnsafeReadableBytes { b in
            out.writeBytes(Self.statusPrefix)
            if let hiddenCredential, hiddenCredential.isContained(in: b, 12..<(statusLineEnd - 2)) {
                // The reason phrase is optional (RFC 9112 §4); one holding the key is left out.
                out.writeBytes(UnsafeRawBufferPointer(rebasing: b[9..<12]))
                out.writeStaticString(" \r\n")
            } else {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: b[9..<statusLineEnd]))
            }
            for field in fields {
                switch field.role {
                case .connection, .hopByHop, .requestID:
                    continue
                // Framing headers stay whatever `Connection` lists: the client must frame the body.
                case .contentLength:
                    if !hasTransferEncoding && !webSocket {
                        out.writeBytes(UnsafeRawBufferPointer(rebasing: b[field.line]))
                    }
                case .transferEncoding:
                    if !toHTTP10 && !webSocket { out.writeBytes(UnsafeRawBufferPointer(rebasing: b[field.line])) }
                default:
                    if !connectionTokens.isEmpty,
                        connectionTokens.contains(where: { ASCII.equalsIgnoringCase(b, field.name, $0) })
                    {
                        continue
                    }
                    if rateLimit != nil, RateLimitHeaders.isRateLimitField(b, field.name) { continue }
                    writeWithoutCredential(field, b, to: &out)
                }
            }
        }
        out.writeStaticString("x-request-id: ")
        out.writeString(requestID)
        out.writeStaticString("\r\n")
        if let rateLimit {
            for (name, value) in RateLimitHeaders.status(rateLimit) {
                out.writeString(name)
                out.writeStaticString(": ")
                out.writeString(value)
                out.writeStaticString("\r\n")
            }
        }
        if closeClient { out.writeStaticString("connection: close\r\n") }
        if webSocket { out.writeStaticString(WebSocketUpgrade.upstreamHeaderLines) }
        out.writeStaticString("\r\n")
    }

    /// Copies one header line unless it holds the credential. A header holding it is dropped
    /// whole rather than redacted, as nginx and Envoy operators expect of a removed header;
    /// the URLs of a query-mode target first lose the injected item, and only what is left
    /// after that is judged.
    private func writeWithoutCredential(_ field: HeaderField, _ b: UnsafeRawBufferPointer, to out: inout ByteBuffer) {
        guard let hiddenCredential else {
            out.writeBytes(UnsafeRawBufferPointer(rebasing: b[field.line]))
            return
        }
        if let itemName = hiddenCredential.queryItemName, let carrier = URLQueryItemRemoval.carrier(b, field.name),
            let value = URLQueryItemRemoval.removing(itemName, from: b, field.value, carrier: carrier)
        {
            let clean = value.withUnsafeBytes { !hiddenCredential.isContained(in: $0, 0..<$0.count) }
            guard clean, !hiddenCredential.isContained(in: b, field.name) else { return }
            out.writeBytes(UnsafeRawBufferPointer(rebasing: b[field.name]))
            out.writeStaticString(": ")
            out.writeBytes(value)
            out.writeStaticString("\r\n")
            return
        }
        guard !hiddenCredential.isContained(in: b, field.line.lowerBound..<(field.line.upperBound - 2)) else { return }
        out.writeBytes(UnsafeRawBufferPointer(rebasing: b[field.line]))
    }
}
