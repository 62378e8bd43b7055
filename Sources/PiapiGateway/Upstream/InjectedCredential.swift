/// The credential a request carried upstream, located inside its target's prepared bytes
/// (nothing is copied), so a response head can be searched for it before the client gets it.
///
/// What counts as the credential: in header mode the bare key after a scheme word
/// (`sk-…` of `Bearer sk-…`, so the whole value is covered too), or the whole value when it
/// has no scheme word or the word leaves less than `minimumBareKey` bytes (a tail such as the
/// `x` of `Basic x` is too common to search for). In query mode the value, compared with
/// `%XX` escapes decoded on both sides: an upstream may echo it as sent, decoded, or
/// re-encoded in its own way (`%2b` for `%2B`, `+` for a space). Letters compare in either
/// case in both modes: a key echoed lower-cased still gives most of it away (found by a
/// review), and a random key matching another header's text in another case does not happen.
struct InjectedCredential {
    /// The target's `name: value\r\n` or `name=value` bytes.
    private let bytes: [UInt8]
    /// The searched part of `bytes`.
    private let needle: Range<Int>
    /// Query mode: the injected item's name, percent-decoded; nil in header mode.
    let queryItemName: [UInt8]?

    static let minimumBareKey = 8

    init(_ target: PreparedTarget) {
        bytes = target.injectedBytes
        switch target.injectionMode {
        case .header:
            var start = (bytes.firstIndex(of: ASCII.colon) ?? -1) + 1
            let end = max(start, bytes.count - 2)
            while start < end, bytes[start] == ASCII.space || bytes[start] == ASCII.tab { start += 1 }
            var bare = start
            while bare < end, bytes[bare] != ASCII.space, bytes[bare] != ASCII.tab { bare += 1 }
            while bare < end, bytes[bare] == ASCII.space || bytes[bare] == ASCII.tab { bare += 1 }
            needle = end - bare >= Self.minimumBareKey ? bare..<end : start..<end
            queryItemName = nil
        case .query:
            let start = (bytes.firstIndex(of: UInt8(ascii: "=")) ?? bytes.count - 1) + 1
            needle = start..<bytes.count
            queryItemName = target.injectedName
        }
    }

    /// Whether `b[range]` holds the credential.
    func isContained(in b: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard !needle.isEmpty else { return false }
        return queryItemName == nil ? containsLiteral(b, range) : containsDecoded(b, range)
    }

    private func containsLiteral(_ b: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard range.count >= needle.count else { return false }
        let first = ASCII.lower(bytes[needle.lowerBound])
        var i = range.lowerBound
        while i <= range.upperBound - needle.count {
            if ASCII.lower(b[i]) == first {
                var j = 1
                while j < needle.count, ASCII.lower(b[i + j]) == ASCII.lower(bytes[needle.lowerBound + j]) { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }

    /// The needle and `b[range]` compared with their `%XX` escapes decoded as it goes (no copy).
    private func containsDecoded(_ b: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        bytes.withUnsafeBytes { n in
            var start = range.lowerBound
            while start < range.upperBound {
                var i = start
                var j = needle.lowerBound
                while j < needle.upperBound, i < range.upperBound {
                    let expected = Self.decoded(n, at: j, end: needle.upperBound)
                    let actual = Self.decoded(b, at: i, end: range.upperBound)
                    guard Self.same(actual.byte, expected.byte) else { break }
                    i += actual.width
                    j += expected.width
                }
                if j == needle.upperBound { return true }
                start += 1
            }
            return false
        }
    }

    /// The byte at `i` with a `%XX` escape there decoded, and how many bytes it took; a raw
    /// `+` stays `plus`, which stands for itself or (form encoding) for a space.
    @inline(__always)
    private static func decoded(_ p: UnsafeRawBufferPointer, at i: Int, end: Int) -> (byte: UInt8, width: Int) {
        if p[i] == UInt8(ascii: "%"), i + 2 < end, let hi = HexDigit.value(p[i + 1]), let lo = HexDigit.value(p[i + 2])
        {
            return (hi << 4 | lo, 3)
        }
        return (p[i] == UInt8(ascii: "+") ? plus : p[i], 1)
    }

    /// A marker for a raw `+` (0x2B decoded from `%2B` is a literal plus, not this).
    private static let plus: UInt8 = 0xFF

    /// Decoded bytes that may stand for the same character: in either case, and a raw `+`
    /// for a plus or a space.
    @inline(__always)
    private static func same(_ a: UInt8, _ b: UInt8) -> Bool {
        if a == plus || b == plus {
            let other = a == plus ? b : a
            return other == plus || other == UInt8(ascii: "+") || other == ASCII.space
        }
        return ASCII.lower(a) == ASCII.lower(b)
    }
}
