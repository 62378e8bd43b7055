/// Reads the payload with every length and index checked, so truncated or altered bytes
/// end in `TableError.corrupt`, never a trap.
struct ByteReader {
    private let bytes: ArraySlice<UInt8>
    /// Position in the underlying file, so errors can name it.
    private(set) var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        self.offset = bytes.startIndex
    }

    var remaining: Int { bytes.endIndex - offset }

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
        let i = s.startIndex
        return UInt32(s[i]) | UInt32(s[i + 1]) << 8 | UInt32(s[i + 2]) << 16 | UInt32(s[i + 3]) << 24
    }

    mutating func u64(_ what: String) throws(TableError) -> UInt64 {
        let s = try take(8, what)
        return s.reversed().reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A key digest, read in place without an intermediate array.
    mutating func digest(_ what: String) throws(TableError) -> KeyDigest {
        KeyDigest(bytes: try take(32, what))!
    }

    mutating func raw(_ n: Int, _ what: String) throws(TableError) -> ArraySlice<UInt8> {
        try take(n, what)
    }

    /// A count that must fit in what is left, assuming each element takes at least `minSize` bytes.
    mutating func count(_ what: String, minSize: Int) throws(TableError) -> Int {
        let n = Int(try u32(what))
        guard n * minSize <= remaining else { throw .corrupt("\(what) count \(n) exceeds the table size") }
        return n
    }
}
