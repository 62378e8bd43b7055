/// Reads the payload with every length and index checked, so truncated or altered bytes
/// end in `TableError.corrupt`, never a trap.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ n: Int, _ what: String) throws(TableError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw .corrupt("truncated in \(what) at byte \(offset)") }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    mutating func u8(_ what: String) throws(TableError) -> UInt8 {
        try take(1, what).first!
    }

    mutating func u16(_ what: String) throws(TableError) -> UInt16 {
        let s = try take(2, what)
        return UInt16(s[s.startIndex]) | UInt16(s[s.startIndex + 1]) << 8
    }

    mutating func u32(_ what: String) throws(TableError) -> UInt32 {
        let s = try take(4, what)
        var v: UInt32 = 0
        for (i, b) in s.enumerated() { v |= UInt32(b) << (8 * UInt32(i)) }
        return v
    }

    mutating func raw(_ n: Int, _ what: String) throws(TableError) -> [UInt8] {
        Array(try take(n, what))
    }

    /// A count that must fit in what is left, assuming each element takes at least `minSize` bytes.
    mutating func count(_ what: String, minSize: Int) throws(TableError) -> Int {
        let n = Int(try u32(what))
        guard n * minSize <= remaining else { throw .corrupt("\(what) count \(n) exceeds the table size") }
        return n
    }
}
