import NIOCore

/// An upstream's response head, parsed strictly enough to frame its body and rewritten for
/// the client: hop-by-hop headers dropped, the gateway's `X-Request-ID` added.
struct ResponseHead {
    let bytes: ByteBuffer
    let status: Int
    var framing: BodyFraming
    /// The upstream asked to close (or cannot keep the connection alive).
    var closesConnection: Bool
    /// The client must be closed after this response (its end is the connection's end).
    var endsWithClose: Bool { if case .untilClose = framing { return true } else { return false } }
    private let fields: [HeaderField]
    private let connectionTokens: [[UInt8]]
    private let statusLineEnd: Int

    private static let chunked = Array("chunked".utf8)
    private static let close = Array("close".utf8)
    private static let keepAlive = Array("keep-alive".utf8)
    private static let statusPrefix = Array("HTTP/1.1 ".utf8)

    /// Nil when the head is not a valid HTTP/1.x response.
    init?(parsing bytes: ByteBuffer, requestWasHead: Bool) {
        self.bytes = bytes
        guard let parsed = bytes.withUnsafeReadableBytes({ Self.parse($0, requestWasHead: requestWasHead) }) else {
            return nil
        }
        (status, framing, closesConnection, fields, connectionTokens, statusLineEnd) = parsed
    }

    private static func parse(_ b: UnsafeRawBufferPointer, requestWasHead: Bool)
        -> (Int, BodyFraming, Bool, [HeaderField], [[UInt8]], Int)? {
        let n = b.count
        // "HTTP/1.x SSS[ reason]CRLF"
        guard n >= 16, b[0] == UInt8(ascii: "H"), b[1] == UInt8(ascii: "T"), b[2] == UInt8(ascii: "T"),
              b[3] == UInt8(ascii: "P"), b[4] == UInt8(ascii: "/"), b[5] == UInt8(ascii: "1"),
              b[6] == UInt8(ascii: "."), b[8] == ASCII.space,
              let status = ASCII.parseDecimal(b, 9..<12), status >= 100, status <= 599 else { return nil }
        let isHTTP10 = b[7] == UInt8(ascii: "0")
        guard isHTTP10 || b[7] == UInt8(ascii: "1") else { return nil }
        var i = 12
        while i < n, b[i] != ASCII.cr {
            guard b[i] != ASCII.lf, b[i] != 0 else { return nil }
            i += 1
        }
        guard i + 1 < n, b[i + 1] == ASCII.lf else { return nil }
        let statusLineEnd = i + 2
        guard let fields = HeaderField.parseBlock(b, from: statusLineEnd, to: n - 2) else { return nil }
        var close = isHTTP10
        var contentLength: Int?
        var transferEncoding: Range<Int>?
        var tokens: [[UInt8]] = []
        for field in fields {
            switch field.role {
            case .contentLength:
                guard let v = ASCII.parseDecimal(b, field.value), contentLength == nil || contentLength == v else { return nil }
                contentLength = v
            case .transferEncoding:
                transferEncoding = field.value
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
        let framing: BodyFraming
        if requestWasHead || status < 200 || status == 204 || status == 304 {
            framing = .none
        } else if let te = transferEncoding {
            // Only a final `chunked` coding has a length of its own; anything else runs to the close.
            let last = te.count >= 7 ? (te.upperBound - 7)..<te.upperBound : te
            if ASCII.equalsIgnoringCase(b, last, chunked) {
                framing = .chunked(ChunkedBodyScanner())
            } else {
                framing = .untilClose
                close = true
            }
        } else if let length = contentLength {
            framing = length == 0 ? .none : .length(remaining: length)
        } else {
            framing = .untilClose
            close = true
        }
        return (status, framing, close, fields, tokens, statusLineEnd)
    }

    /// The value of the first header named `lowerName` (lower-case), for the few response
    /// headers the gateway reads beyond framing.
    func value(of lowerName: [UInt8]) -> Substring? {
        bytes.withUnsafeReadableBytes { b in
            fields.first { $0.name.count == lowerName.count && ASCII.equalsIgnoringCase(b, $0.name, lowerName) }
                .map { Substring(decoding: UnsafeRawBufferPointer(rebasing: b[$0.value]), as: UTF8.self) }
        }
    }

    /// Writes the head as the client gets it.
    func write(to out: inout ByteBuffer, requestID: String, closeClient: Bool) {
        bytes.withUnsafeReadableBytes { b in
            out.writeBytes(Self.statusPrefix)
            out.writeBytes(UnsafeRawBufferPointer(rebasing: b[9..<statusLineEnd]))
            for field in fields {
                switch field.role {
                case .connection, .hopByHop, .requestID:
                    continue
                default:
                    if !connectionTokens.isEmpty, connectionTokens.contains(where: { ASCII.equalsIgnoringCase(b, field.name, $0) }) {
                        continue
                    }
                    out.writeBytes(UnsafeRawBufferPointer(rebasing: b[field.line]))
                }
            }
        }
        out.writeStaticString("x-request-id: ")
        out.writeString(requestID)
        out.writeStaticString("\r\n")
        if closeClient { out.writeStaticString("connection: close\r\n") }
        out.writeStaticString("\r\n")
    }
}
