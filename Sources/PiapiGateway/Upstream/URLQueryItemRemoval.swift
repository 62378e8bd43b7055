/// Takes the injected credential item out of the URLs a response header carries back to the
/// client (query-mode targets): an upstream that redirects keeps the query it was sent
/// (Starlette's `redirect_slashes`, Django's `APPEND_SLASH`), provider key included.
///
/// `Location` and `Content-Location` hold one URI reference; `Link` one per `<…>`. Only the
/// items named like the injected one go (names compared percent-decoded, as on the request
/// side); the rest of each URL stays byte for byte, and a query left empty loses its `?`.
enum URLQueryItemRemoval {
    /// How a response header carries URLs.
    enum Carrier {
        /// The whole value is one URI reference (`Location`, `Content-Location`).
        case uri
        /// Each `<…>` of the value is a URI reference (`Link`).
        case link
    }

    private static let location = Array("location".utf8)
    private static let contentLocation = Array("content-location".utf8)
    private static let link = Array("link".utf8)

    /// How the header named `b[name]` carries URLs; nil for every other header.
    static func carrier(_ b: UnsafeRawBufferPointer, _ name: Range<Int>) -> Carrier? {
        switch name.count {
        case 4: ASCII.equalsIgnoringCase(b, name, link) ? .link : nil
        case 8: ASCII.equalsIgnoringCase(b, name, location) ? .uri : nil
        case 16: ASCII.equalsIgnoringCase(b, name, contentLocation) ? .uri : nil
        default: nil
        }
    }

    /// `b[value]` without the items named `itemName`, or nil when no URL in it has one (the
    /// common case, which allocates nothing).
    static func removing(
        _ itemName: [UInt8], from b: UnsafeRawBufferPointer, _ value: Range<Int>,
        carrier: Carrier
    ) -> [UInt8]? {
        var out: [UInt8]?
        var copied = value.lowerBound
        forEachQuery(b, value, carrier) { query in
            guard hasItem(named: itemName, b, query) else { return }
            var rewritten = out ?? []
            out = nil
            rewritten.reserveCapacity(value.count)
            // Up to the URL's `?` (excluded), then the items kept.
            rewritten.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[copied..<(query.lowerBound - 1)]))
            var kept = 0
            forEachItem(b, query) { item, name in
                guard !decodedName(b, name, equals: itemName) else { return }
                rewritten.append(UInt8(ascii: kept == 0 ? "?" : "&"))
                rewritten.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[item]))
                kept += 1
            }
            copied = query.upperBound
            out = rewritten
        }
        guard var out else { return nil }
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[copied..<value.upperBound]))
        return out
    }

    /// Calls `body` with the query (after `?`, before `#`) of each URL in `b[value]` that has one.
    private static func forEachQuery(
        _ b: UnsafeRawBufferPointer, _ value: Range<Int>, _ carrier: Carrier,
        _ body: (Range<Int>) -> Void
    ) {
        switch carrier {
        case .uri:
            if let query = query(b, value) { body(query) }
        case .link:
            var i = value.lowerBound
            while i < value.upperBound {
                guard b[i] == UInt8(ascii: "<") else {
                    i += 1
                    continue
                }
                // The reference runs to the `>`, or to the next `<` (a URI has none of its own).
                var end = i + 1
                while end < value.upperBound, b[end] != UInt8(ascii: ">"), b[end] != UInt8(ascii: "<") { end += 1 }
                if let query = query(b, (i + 1)..<end) { body(query) }
                i = end
            }
        }
    }

    /// The query of the URI reference `b[uri]`: after its first `?`, up to the fragment.
    private static func query(_ b: UnsafeRawBufferPointer, _ uri: Range<Int>) -> Range<Int>? {
        guard let mark = uri.first(where: { b[$0] == UInt8(ascii: "?") || b[$0] == UInt8(ascii: "#") }),
            b[mark] == UInt8(ascii: "?")
        else { return nil }
        let end = ((mark + 1)..<uri.upperBound).first { b[$0] == UInt8(ascii: "#") } ?? uri.upperBound
        return (mark + 1)..<end
    }

    /// Calls `body` with each `&`-separated item of `b[query]` and its name (before any `=`).
    private static func forEachItem(
        _ b: UnsafeRawBufferPointer, _ query: Range<Int>,
        _ body: (_ item: Range<Int>, _ name: Range<Int>) -> Void
    ) {
        var start = query.lowerBound
        var i = start
        while i <= query.upperBound {
            if i == query.upperBound || b[i] == UInt8(ascii: "&") {
                var nameEnd = start
                while nameEnd < i, b[nameEnd] != UInt8(ascii: "=") { nameEnd += 1 }
                body(start..<i, start..<nameEnd)
                start = i + 1
            }
            i += 1
        }
    }

    private static func hasItem(named itemName: [UInt8], _ b: UnsafeRawBufferPointer, _ query: Range<Int>) -> Bool {
        var found = false
        forEachItem(b, query) { _, name in
            if !found, decodedName(b, name, equals: itemName) { found = true }
        }
        return found
    }

    /// Whether `b[name]` with `+` and `%XX` decoded equals `decoded`, decoding as it goes.
    private static func decodedName(_ b: UnsafeRawBufferPointer, _ name: Range<Int>, equals decoded: [UInt8]) -> Bool {
        var i = name.lowerBound
        var j = 0
        while i < name.upperBound {
            guard j < decoded.count else { return false }
            var c = b[i]
            if c == UInt8(ascii: "%"), i + 2 < name.upperBound,
                let hi = HexDigit.value(b[i + 1]), let lo = HexDigit.value(b[i + 2])
            {
                c = hi << 4 | lo
                i += 2
            } else if c == UInt8(ascii: "+") {
                c = ASCII.space
            }
            guard c == decoded[j] else { return false }
            i += 1
            j += 1
        }
        return j == decoded.count
    }
}
