import NIOCore
import RouteTable

@testable import PiapiGateway

/// libFuzzer entry for the gateway's request-head handling: the bytes arrive in two pieces
/// (split where the first byte says), are scanned for the end of the head, parsed, and the
/// path, credential and query are taken apart as the proxy does. Besides "never crash", it
/// checks the §6 climbing rule against a separate, naive oracle, that the credential query
/// item never survives the filter and that the per-request key digest matches the table's.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestHead(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let split = min(Int(data[0]), input.count)

    var buffer = ByteBuffer()
    var scanner = HeadScanner()
    buffer.writeBytes(UnsafeBufferPointer(rebasing: input[..<split]))
    var length = scanner.headLength(in: buffer)
    if length == nil {
        buffer.writeBytes(UnsafeBufferPointer(rebasing: input[split...]))
        length = scanner.headLength(in: buffer)
    }
    guard let length else { return 0 }
    precondition(length >= 4 && length <= buffer.readableBytes, "head length out of bounds")
    guard let headBytes = buffer.getSlice(at: buffer.readerIndex, length: length),
        let head = try? RequestHead(parsing: headBytes)
    else { return 0 }

    headBytes.withUnsafeReadableBytes { b in
        for credential in [head.bearerKey, head.apiKey].compactMap({ $0 }) {
            let key = UnsafeRawBufferPointer(rebasing: b[credential])
            precondition(UserKeyDigest.of(key) == KeyDigest(ofKey: key), "request digest differs from the table's")
        }
        if case .proxy(let service, let rest) = RequestPath.classify(b, head.path) {
            precondition(!service.isEmpty && !b[service].contains(UInt8(ascii: "/")), "bad service split")
            precondition(rest.isEmpty || b[rest.lowerBound] == UInt8(ascii: "/"), "rest must start with /")
            let escapes = RequestPath.escapesBase(b, rest)
            precondition(escapes || !Oracle.climbs(Array(b[rest])), "a climbing <rest> was let through")
        }
        if let query = head.query {
            let dropped = Array("key".utf8)
            var out: [UInt8] = []
            _ = QueryItems.appendFiltered(b, query, droppingName: dropped, separatorNeeded: false, to: &out)
            for item in out.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false) {
                let name = item.prefix { $0 != UInt8(ascii: "=") }
                precondition(Oracle.decodedName(Array(name)) != dropped, "credential query item forwarded")
            }
        }
    }
    return 0
}

/// Naive restatements of the §6 rules, written independently of the gateway's code.
enum Oracle {
    /// A `.`/`..` segment (dots possibly `%2e`) or an encoded slash anywhere.
    static func climbs(_ rest: [UInt8]) -> Bool {
        let text = String(decoding: rest, as: UTF8.self).lowercased()
        if text.contains("%2f") { return true }
        return text.split(separator: "/", omittingEmptySubsequences: false).contains { segment in
            let dots = segment.replacing("%2e", with: ".")
            return dots == "." || dots == ".."
        }
    }

    /// A query name with `+` and `%XX` decoded.
    static func decodedName(_ name: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < name.count {
            if name[i] == UInt8(ascii: "%"), i + 2 < name.count,
                let hi = Character(UnicodeScalar(name[i + 1])).hexDigitValue,
                let lo = Character(UnicodeScalar(name[i + 2])).hexDigitValue
            {
                out.append(UInt8(hi * 16 + lo))
                i += 3
            } else {
                out.append(name[i] == UInt8(ascii: "+") ? 0x20 : name[i])
                i += 1
            }
        }
        return out
    }
}
