import NIOCore

/// A client's request head, parsed strictly once and kept as offsets into its own bytes, so
/// the proxy can forward it line by line without building strings.
struct RequestHead {
    /// The head's bytes, request line through the final empty line.
    let bytes: ByteBuffer
    var method: Range<Int>
    var path: Range<Int>
    /// The query without its `?`, when the target has one.
    var query: Range<Int>?
    var fields: [HeaderField]
    var framing: BodyFraming
    /// The request line says HTTP/1.0: no 1xx and no chunked framing may go back.
    var isHTTP10: Bool
    var keepAlive: Bool
    /// The key of `Authorization: Bearer <key>`, when the request has one.
    var bearerKey: Range<Int>?
    /// The value of `x-api-key`, when the request has one.
    var apiKey: Range<Int>?
    /// The client's `X-Request-ID`, when it is a valid one.
    var requestID: Range<Int>?
    /// Header names listed in `Connection`, lower-cased: dropped when forwarding. A set, so a
    /// head listing thousands costs one lookup per header, not a comparison with each name.
    var connectionTokens: Set<[UInt8]>
    var isHeadMethod: Bool
    /// The client's own `X-Forwarded-For`, to extend.
    var forwardedFor: Range<Int>?
    /// The client sent `Content-Length: 0` (forwarded as such).
    var hadZeroContentLength: Bool
    /// `Expect: 100-continue` on HTTP/1.1: the client may wait for a `100 Continue` before
    /// sending its body (curl waits a second for one).
    var expectsContinue: Bool

    /// Why a head was refused; every case answers 400.
    struct Malformed: Error {
        let reason: String
    }

    init(parsing bytes: ByteBuffer) throws(Malformed) {
        self.bytes = bytes
        let parsed: Result<RequestHead.Parts, Malformed> = bytes.withUnsafeReadableBytes { Self.parse($0) }
        let p = try parsed.get()
        method = p.method
        path = p.path
        query = p.query
        fields = p.fields
        framing = p.framing
        isHTTP10 = p.isHTTP10
        keepAlive = p.keepAlive
        bearerKey = p.bearerKey
        apiKey = p.apiKey
        requestID = p.requestID
        connectionTokens = p.connectionTokens
        isHeadMethod = p.isHeadMethod
        forwardedFor = p.forwardedFor
        hadZeroContentLength = p.hadZeroContentLength
        expectsContinue = p.expectsContinue
    }

    func string(_ range: Range<Int>) -> String {
        bytes.withUnsafeReadableBytes { String(decoding: UnsafeRawBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    /// The parse result before it is copied into the head (keeps `parse` a pure function).
    private struct Parts {
        var method = 0..<0
        var path = 0..<0
        var query: Range<Int>?
        var fields: [HeaderField] = []
        var framing = BodyFraming.none
        var isHTTP10 = false
        var keepAlive = true
        var bearerKey: Range<Int>?
        var apiKey: Range<Int>?
        var requestID: Range<Int>?
        var connectionTokens: Set<[UInt8]> = []
        var isHeadMethod = false
        var forwardedFor: Range<Int>?
        var hadZeroContentLength = false
        var expectsContinue = false
    }

    private static let http11 = Array("HTTP/1.1".utf8)
    private static let http10 = Array("HTTP/1.0".utf8)
    private static let bearer = Array("bearer".utf8)
    private static let chunked = Array("chunked".utf8)
    private static let close = Array("close".utf8)
    private static let keepAliveToken = Array("keep-alive".utf8)
    private static let continueExpectation = Array("100-continue".utf8)

    private static func parse(_ b: UnsafeRawBufferPointer) -> Result<Parts, Malformed> {
        var p = Parts()
        let n = b.count
        // Request line: method SP target SP version CRLF.
        var i = 0
        while i < n, ASCII.isTokenChar(b[i]) { i += 1 }
        guard i > 0, i < n, b[i] == ASCII.space else { return .failure(Malformed(reason: "bad request line")) }
        p.method = 0..<i
        p.isHeadMethod =
            i == 4 && b[0] == UInt8(ascii: "H") && b[1] == UInt8(ascii: "E") && b[2] == UInt8(ascii: "A")
            && b[3] == UInt8(ascii: "D")
        i += 1
        let targetStart = i
        var questionMark = -1
        while i < n {
            let c = b[i]
            if c == ASCII.space { break }
            guard c > 0x20 && c < 0x7F else { return .failure(Malformed(reason: "bad request target")) }
            if c == UInt8(ascii: "?") && questionMark < 0 { questionMark = i }
            i += 1
        }
        guard i > targetStart, i < n, b[targetStart] == UInt8(ascii: "/") else {
            return .failure(Malformed(reason: "bad request target"))
        }
        if questionMark >= 0 {
            p.path = targetStart..<questionMark
            p.query = (questionMark + 1)..<i
        } else {
            p.path = targetStart..<i
        }
        i += 1
        let versionStart = i
        guard versionStart + 10 <= n, b[versionStart + 8] == ASCII.cr, b[versionStart + 9] == ASCII.lf else {
            return .failure(Malformed(reason: "bad request line"))
        }
        let version = versionStart..<(versionStart + 8)
        if ASCII.equals(b, version, http11) {
            p.keepAlive = true
        } else if ASCII.equals(b, version, http10) {
            p.keepAlive = false
        } else {
            return .failure(Malformed(reason: "unsupported HTTP version"))
        }
        let isHTTP10 = !p.keepAlive
        p.isHTTP10 = isHTTP10
        guard let fields = HeaderField.parseBlock(b, from: versionStart + 10, to: n - 2) else {
            return .failure(Malformed(reason: "malformed header"))
        }
        p.fields = fields

        var contentLength: Int?
        var sawTransferEncoding = false
        var sawAuthorization = false
        for field in fields {
            switch field.role {
            case .contentLength:
                guard let length = parseContentLength(b, field.value) else {
                    return .failure(Malformed(reason: "invalid Content-Length"))
                }
                if let previous = contentLength, previous != length {
                    return .failure(Malformed(reason: "conflicting Content-Length"))
                }
                contentLength = length
            case .transferEncoding:
                guard !sawTransferEncoding, ASCII.equalsIgnoringCase(b, field.value, chunked) else {
                    return .failure(Malformed(reason: "unsupported Transfer-Encoding"))
                }
                sawTransferEncoding = true
            case .connection:
                // Each name is lower-cased into this buffer, copied into the set only when new.
                var name: [UInt8] = []
                ASCII.forEachToken(b, field.value) { token in
                    if ASCII.equalsIgnoringCase(b, token, close) {
                        p.keepAlive = false
                    } else if ASCII.equalsIgnoringCase(b, token, keepAliveToken) {
                        if isHTTP10 { p.keepAlive = true }
                    } else {
                        name.removeAll(keepingCapacity: true)
                        name.append(contentsOf: b[token].lazy.map(ASCII.lower))
                        p.connectionTokens.insert(name)
                    }
                }
            case .authorization:
                // With two, which user is charged would depend on header order.
                guard !sawAuthorization else {
                    return .failure(Malformed(reason: "more than one Authorization header"))
                }
                sawAuthorization = true
                p.bearerKey = bearerKey(b, field.value)
            case .apiKey:
                if let previous = p.apiKey {
                    guard b[previous].elementsEqual(b[field.value]) else {
                        return .failure(Malformed(reason: "more than one x-api-key header"))
                    }
                } else if !field.value.isEmpty {
                    p.apiKey = field.value
                }
            case .requestID:
                if p.requestID == nil, RequestID.isValid(b, field.value) { p.requestID = field.value }
            case .forwardedFor:
                if p.forwardedFor == nil, !field.value.isEmpty { p.forwardedFor = field.value }
            case .expect:
                // Other expectations are ignored (RFC 9110 §10.1.1 allows a 417; nothing sends them).
                if !isHTTP10, ASCII.equalsIgnoringCase(b, ASCII.trimmed(b, field.value), continueExpectation) {
                    p.expectsContinue = true
                }
            case .other, .hopByHop, .host, .forwardedProto:
                break
            }
        }
        if sawTransferEncoding {
            // RFC 9112 §6.1: HTTP/1.0 has no Transfer-Encoding; such framing is faulty.
            guard !isHTTP10 else { return .failure(Malformed(reason: "Transfer-Encoding in an HTTP/1.0 request")) }
            guard contentLength == nil else {
                return .failure(Malformed(reason: "Content-Length together with Transfer-Encoding"))
            }
            p.framing = .chunked(.framingOnly)
        } else if let length = contentLength {
            if length > 0 { p.framing = .length(remaining: length) } else { p.hadZeroContentLength = true }
        }
        return .success(p)
    }

    /// A Content-Length value; a list of equal values (`5, 5`) counts as one.
    private static func parseContentLength(_ b: UnsafeRawBufferPointer, _ value: Range<Int>) -> Int? {
        var result: Int?
        var valid = true
        ASCII.forEachToken(b, value) { token in
            guard let v = ASCII.parseDecimal(b, token), result == nil || result == v else {
                valid = false
                return
            }
            result = v
        }
        return valid ? result : nil
    }

    /// The key after `Bearer ` (scheme in any case), or nil for another scheme.
    private static func bearerKey(_ b: UnsafeRawBufferPointer, _ value: Range<Int>) -> Range<Int>? {
        let scheme = value.lowerBound..<min(value.lowerBound + 6, value.upperBound)
        guard value.count > 7, ASCII.equalsIgnoringCase(b, scheme, bearer),
            b[scheme.upperBound] == ASCII.space || b[scheme.upperBound] == ASCII.tab
        else { return nil }
        let key = ASCII.trimmed(b, scheme.upperBound..<value.upperBound)
        return key.isEmpty ? nil : key
    }
}
