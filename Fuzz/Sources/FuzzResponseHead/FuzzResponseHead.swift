import NIOCore
import RouteTable

@testable import PiapiGateway

/// libFuzzer entry for the gateway's response-head handling. Input: one flags byte (bit 0: the
/// request was HEAD, bit 1: the client is HTTP/1.0, bit 2: the target injects a query item
/// rather than a header), one split byte (where the head arrives in two pieces), then an
/// upstream's response bytes. The head is scanned, parsed and written as the client gets it;
/// a chunked body after it is scanned and de-chunked in two pieces. Besides "never crash", it
/// checks against naive oracles: a head accepted has strictly valid framing (RFC 9112 §6), the
/// written head frames the body as the upstream did (no length beside Transfer-Encoding, none
/// at all towards HTTP/1.0), the credential never appears in it, query-mode URLs lose the
/// injected item, and de-chunking yields exactly the chunks' payload.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponseHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 2 else { return 0 }
    let flags = data[0]
    let requestWasHead = flags & 1 != 0
    let toHTTP10 = flags & 2 != 0
    let queryMode = flags & 4 != 0
    let input = UnsafeBufferPointer(start: data + 2, count: size - 2)
    let split = min(Int(data[1]), input.count)

    var buffer = ByteBuffer()
    var scanner = HeadScanner()
    buffer.writeBytes(UnsafeBufferPointer(rebasing: input[..<split]))
    var length = scanner.headLength(in: buffer)
    if length == nil {
        buffer.writeBytes(UnsafeBufferPointer(rebasing: input[split...]))
        length = scanner.headLength(in: buffer)
    }
    guard let length, let headBytes = buffer.getSlice(at: buffer.readerIndex, length: length) else { return 0 }
    let fields = Oracle.fields(Array(headBytes.readableBytesView))
    guard var head = ResponseHead(parsing: headBytes, requestWasHead: requestWasHead) else { return 0 }
    precondition(Oracle.framingIsValid(fields), "a loosely framed head was accepted")

    let target = queryMode ? Fixture.queryTarget : Fixture.headerTarget
    head.hiddenCredential = InjectedCredential(target)
    var out = ByteBuffer()
    head.write(to: &out, requestID: "fuzz", closeClient: false, toHTTP10: toHTTP10)
    let written = Array(out.readableBytesView)
    if queryMode {
        // The key may come back escaped in any way (`%2b`, `%2B`, or not at all).
        precondition(
            Oracle.find(Array(Fixture.queryKey.utf8), in: Oracle.decoded(written[...], plusIsSpace: false)) == nil,
            "the credential reached the client")
    } else {
        precondition(
            Oracle.find(Array(Fixture.headerKey.utf8), in: written) == nil, "the credential reached the client")
    }
    let writtenFields = Oracle.fields(written)
    let hasLength = writtenFields.contains { $0.name == "content-length" }
    let hasCoding = writtenFields.contains { $0.name == "transfer-encoding" }
    precondition(!(hasLength && hasCoding), "Content-Length forwarded beside Transfer-Encoding")
    precondition(!(toHTTP10 && hasCoding), "Transfer-Encoding sent to an HTTP/1.0 client")
    if queryMode {
        for field in writtenFields where ["location", "content-location", "link"].contains(field.name) {
            precondition(
                !Oracle.hasItem(named: "key", in: field.value, link: field.name == "link"),
                "the injected item stayed in a URL")
        }
    }
    guard let again = ResponseHead(parsing: out, requestWasHead: requestWasHead) else {
        preconditionFailure("the head written for the client does not parse")
    }
    precondition(Oracle.kind(again.framing) == Oracle.clientKind(head.framing, toHTTP10: toHTTP10), "framing changed")

    if case .chunked(var bodyScanner) = head.framing {
        let body = Array(buffer.readableBytesView.dropFirst(length))
        guard case .finished(let consumed) = body.withUnsafeBytes({ bodyScanner.scan($0) }) else { return 0 }
        let framed = Array(body[..<consumed])
        var decoder = ChunkedPayloadDecoder()
        var payload: [UInt8] = []
        let cut = min(Int(data[1]) % (framed.count + 1), framed.count)
        for piece in [framed[..<cut], framed[cut...]] {
            Array(piece).withUnsafeBytes { bytes in
                _ = decoder.decode(bytes) { payload.append(contentsOf: bytes[$0]) }
            }
        }
        precondition(payload == Oracle.dechunk(framed), "de-chunked payload differs")
    }
    return 0
}

/// One header-mode and one query-mode target, and what of their credential may never show.
enum Fixture {
    nonisolated(unsafe) static let headerTarget = target(
        .header, name: "Authorization", credential: "Bearer sk-fuzz-header")
    nonisolated(unsafe) static let queryTarget = target(.query, name: "key", credential: "sk-fuzz%2Bq")
    /// The key of each, as an upstream would echo it (query: decoded).
    static let headerKey = "sk-fuzz-header"
    static let queryKey = "sk-fuzz+q"

    private static func target(_ mode: Injection.Mode, name: String, credential: String) -> PreparedTarget {
        PreparedTarget(
            target: Target(
                provider: "p", keyName: "k", serviceType: "s",
                upstream: Upstream(scheme: .http, host: "127.0.0.1", port: 9, basePath: "", baseQuery: ""),
                injection: Injection(mode: mode, name: name, value: SecretTemplate(literal: credential))),
            credential: credential)
    }
}

/// Naive restatements of the rules, written independently of the gateway's code.
enum Oracle {
    struct Field {
        var name: String
        var value: [UInt8]
    }

    /// The header lines of a head (status line and final empty line skipped), names lower-cased.
    static func fields(_ head: [UInt8]) -> [Field] {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        while let end = find([0x0D, 0x0A], in: head, from: start) {
            lines.append(head[start..<end])
            start = end + 2
        }
        return lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            return Field(
                name: String(decoding: lowered(line[..<colon]), as: UTF8.self),
                value: Array(trimmed(line[(colon + 1)...])))
        }
    }

    /// Bytes without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
        let start = bytes.firstIndex { !blank($0) } ?? bytes.endIndex
        let end = bytes.lastIndex { !blank($0) }.map { $0 + 1 } ?? start
        return bytes[start..<max(start, end)]
    }

    /// ASCII letters lower-cased, every other byte as it is.
    static func lowered<C: Collection>(_ bytes: C) -> [UInt8] where C.Element == UInt8 {
        bytes.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
    }

    /// RFC 9112 §6: the codings of all Transfer-Encoding lines end in one `chunked`; the
    /// Content-Length lines agree.
    static func framingIsValid(_ fields: [Field]) -> Bool {
        let codings = fields.filter { $0.name == "transfer-encoding" }
            .flatMap { $0.value.split(separator: UInt8(ascii: ",")) }
            .map { String(decoding: lowered(trimmed($0)), as: UTF8.self) }
            .filter { !$0.isEmpty }
        let sawCoding = fields.contains { $0.name == "transfer-encoding" }
        if sawCoding, codings.last != "chunked" || codings.filter({ $0 == "chunked" }).count != 1 { return false }
        let lengths = fields.filter { $0.name == "content-length" }.map {
            Int(String(decoding: $0.value, as: UTF8.self))
        }
        return lengths.allSatisfy { $0 != nil } && Set(lengths).count <= 1
    }

    static func kind(_ framing: BodyFraming) -> String {
        switch framing {
        case .none: "none"
        case .length(let n): "length \(n)"
        case .chunked: "chunked"
        case .untilClose: "until close"
        }
    }

    /// How the client's copy frames the body: as the upstream's, but an HTTP/1.0 client gets
    /// a chunked body de-chunked and ended by the close.
    static func clientKind(_ framing: BodyFraming, toHTTP10: Bool) -> String {
        if toHTTP10, case .chunked = framing { return "until close" }
        return kind(framing)
    }

    /// Whether a URL in `value` (the whole of it, or for `link` each `<…>`) has a query item
    /// whose decoded name is `name`. On bytes: a combining mark after `#` or `?` would hide it
    /// from a Character-wise split.
    static func hasItem(named name: String, in value: [UInt8], link: Bool) -> Bool {
        let uris =
            link
            ? value.split(separator: UInt8(ascii: "<"), omittingEmptySubsequences: false).dropFirst()
                .map { $0.prefix { $0 != UInt8(ascii: ">") } } : [value[...]]
        return uris.contains { uri in
            let beforeFragment = uri.prefix { $0 != UInt8(ascii: "#") }
            guard
                let query = beforeFragment.split(
                    separator: UInt8(ascii: "?"), maxSplits: 1, omittingEmptySubsequences: false
                )
                .dropFirst().first
            else { return false }
            return query.split(separator: UInt8(ascii: "&")).contains { item in
                decoded(item.prefix { $0 != UInt8(ascii: "=") }, plusIsSpace: true) == Array(name.utf8)
            }
        }
    }

    /// `%XX` escapes decoded (and `+` as a space, for query item names).
    static func decoded(_ text: ArraySlice<UInt8>, plusIsSpace: Bool) -> [UInt8] {
        let bytes = Array(text)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), i + 2 < bytes.count,
                let hi = Character(UnicodeScalar(bytes[i + 1])).hexDigitValue,
                let lo = Character(UnicodeScalar(bytes[i + 2])).hexDigitValue
            {
                out.append(UInt8(hi * 16 + lo))
                i += 3
            } else {
                out.append(plusIsSpace && bytes[i] == UInt8(ascii: "+") ? 0x20 : bytes[i])
                i += 1
            }
        }
        return out
    }

    /// The payload of a complete, valid chunked body.
    static func dechunk(_ body: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while let lineEnd = find([0x0D, 0x0A], in: body, from: i) {
            let sizeText = String(decoding: body[i..<lineEnd], as: UTF8.self).prefix { $0.isHexDigit }
            guard let size = Int(sizeText, radix: 16), size > 0 else { break }
            out += body[(lineEnd + 2)..<(lineEnd + 2 + size)]
            i = lineEnd + 2 + size + 2
        }
        return out
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else {
            return nil
        }
        return (start...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
    }
}
