/// Inflates a `gzip` or `deflate` response body on the side, in bounded memory: the decoded
/// bytes pass through a 16 KiB window on the stack, piece by piece, and are never collected.
/// A value type (copy-on-write over `ZlibStream`), so a copied tap decodes on its own.
struct ZlibInflater: Sendable {
    enum Format: Sendable {
        /// `Content-Encoding: gzip` (a zlib-wrapped body is accepted too).
        case gzip
        /// `Content-Encoding: deflate`: zlib-wrapped as RFC 9110 says, or raw deflate as some
        /// servers send it, told apart by the first byte.
        case deflate
    }

    /// The size of the decoding window (on the stack of each `inflate` call).
    static let windowBytes = 16 << 10

    private let format: Format
    /// Created at the first byte, when a deflate body's wrapping can be told.
    private var stream: ZlibStream?
    /// The body could not be inflated (or zlib could not allocate); nothing more is decoded.
    private var failed = false

    init(format: Format) {
        self.format = format
    }

    /// Inflates `input`, handing each decoded piece to `consume` (false: stop for good, the
    /// rest is of no interest). False when the body turned out undecodable.
    mutating func inflate(_ input: UnsafeRawBufferPointer, consume: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        guard !failed, let first = input.first else { return !failed }
        if stream == nil {
            stream = ZlibStream(windowBits: Self.windowBits(format: format, firstByte: first))
        } else if !isKnownUniquelyReferenced(&stream) {
            stream = stream.flatMap(ZlibStream.init(copying:))
        }
        guard let stream else {
            failed = true
            return false
        }
        let outcome = withUnsafeTemporaryAllocation(byteCount: Self.windowBytes, alignment: 1) { window in
            stream.inflate(input, through: window, consume: consume)
        }
        if case .dataError = outcome { failed = true }
        return !failed
    }

    /// A zlib header's first byte names deflate (low nibble 8) with a window of at most
    /// 32 KiB (high nibble ≤ 7). A raw deflate stream starts with a block header whose low
    /// bits cannot look like that unless it is a stored block with non-zero padding, which
    /// no encoder writes.
    static func windowBits(format: Format, firstByte: UInt8) -> Int32 {
        switch format {
        case .gzip:
            return 15 + 32
        case .deflate:
            return firstByte & 0x0F == 8 && firstByte >> 4 <= 7 ? 15 : -15
        }
    }
}
