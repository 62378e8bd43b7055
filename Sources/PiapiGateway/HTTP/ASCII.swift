/// Byte-level helpers shared by the HTTP parsers, so the hot path compares header names
/// and scans lines without building strings.
enum ASCII {
    static let cr: UInt8 = 0x0D
    static let lf: UInt8 = 0x0A
    static let space: UInt8 = 0x20
    static let tab: UInt8 = 0x09
    static let colon: UInt8 = 0x3A

    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 {
        (b >= 0x41 && b <= 0x5A) ? b | 0x20 : b
    }

    /// RFC 9110 `tchar`: what a method or a header name may contain.
    @inline(__always)
    static func isTokenChar(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default: false
        }
    }

    /// Whether `bytes[range]` equals `lowercased` ignoring ASCII case (`lowercased` must be lower case).
    @inline(__always)
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercased: [UInt8]) -> Bool
    {
        guard range.count == lowercased.count else { return false }
        var i = range.lowerBound
        var j = 0
        while j < lowercased.count {
            if lower(bytes[i]) != lowercased[j] { return false }
            i += 1
            j += 1
        }
        return true
    }

    /// Parses a non-negative decimal made of digits only; nil on anything else or overflow.
    static func parseDecimal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for i in range {
            let b = bytes[i]
            guard b >= 0x30 && b <= 0x39 else { return nil }
            value = value * 10 + Int(b - 0x30)
        }
        return value
    }

    /// The range with leading and trailing spaces and tabs removed.
    static func trimmed(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Range<Int> {
        var lo = range.lowerBound
        var hi = range.upperBound
        while lo < hi, bytes[lo] == space || bytes[lo] == tab { lo += 1 }
        while hi > lo, bytes[hi - 1] == space || bytes[hi - 1] == tab { hi -= 1 }
        return lo..<hi
    }

    /// Whether `bytes[range]` equals `literal` exactly.
    @inline(__always)
    static func equals(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ literal: [UInt8]) -> Bool {
        guard range.count == literal.count else { return false }
        var i = range.lowerBound
        for c in literal {
            if bytes[i] != c { return false }
            i += 1
        }
        return true
    }

    /// Calls `body` with each comma-separated, trimmed, non-empty element of `value`.
    static func forEachToken(_ b: UnsafeRawBufferPointer, _ value: Range<Int>, _ body: (Range<Int>) -> Void) {
        var start = value.lowerBound
        var i = start
        while i <= value.upperBound {
            if i == value.upperBound || b[i] == UInt8(ascii: ",") {
                let token = trimmed(b, start..<i)
                if !token.isEmpty { body(token) }
                start = i + 1
            }
            i += 1
        }
    }
}
