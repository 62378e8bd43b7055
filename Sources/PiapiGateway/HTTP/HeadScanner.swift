import NIOCore

/// Finds where a head ends (the empty line) in bytes that arrive in pieces, remembering how
/// far it already looked so a slow client does not make the search quadratic.
struct HeadScanner: Sendable {
    private var scanned = 0

    mutating func reset() { scanned = 0 }

    /// The head's length including the final CRLF CRLF, or nil while it is incomplete.
    mutating func headLength(in buffer: ByteBuffer) -> Int? {
        buffer.withUnsafeReadableBytes { bytes in
            var i = max(scanned, 3)
            let n = bytes.count
            while i < n {
                if bytes[i] == ASCII.lf && bytes[i - 1] == ASCII.cr && bytes[i - 2] == ASCII.lf
                    && bytes[i - 3] == ASCII.cr
                {
                    scanned = 0
                    return i + 1
                }
                i += 1
            }
            scanned = max(n, 3)
            return nil
        }
    }
}
