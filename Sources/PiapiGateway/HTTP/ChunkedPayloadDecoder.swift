/// Takes the chunk framing off a chunked body as it streams, for a client that cannot read
/// chunked framing (HTTP/1.0): it finds the payload bytes and leaves out chunk sizes,
/// extensions and trailers. It runs over bytes `ChunkedBodyScanner` has already accepted,
/// so it only keeps its place in the grammar; it does not judge it — except that a chunk
/// size too large to hold is refused, because the usage tap (and its fuzzer) also feed it.
struct ChunkedPayloadDecoder {
    /// Where in the chunk grammar the next byte falls.
    private enum State {
        case size
        case sizeLineRest
        case data(remaining: Int)
        case dataEnd
        case trailerLineStart
        case trailerLine
        case finished
    }

    private var state = State.size
    private var size = 0
    private var digits = 0

    /// Calls `payload` with each range of `bytes` that is body payload, in order; false when
    /// a chunk size overflows (nothing more is decoded then).
    mutating func decode(_ bytes: UnsafeRawBufferPointer, payload: (Range<Int>) -> Void) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            switch state {
            case .data(let remaining):
                let take = min(remaining, n - i)
                payload(i..<(i + take))
                i += take
                state = take == remaining ? .dataEnd : .data(remaining: remaining - take)
                continue
            case .size:
                if let digit = HexDigit.value(bytes[i]) {
                    digits += 1
                    guard digits <= 15 else { return false }
                    size = size << 4 | Int(digit)
                } else {
                    state = .sizeLineRest
                    continue
                }
            case .sizeLineRest:
                // An extension, then CRLF.
                if bytes[i] == ASCII.lf {
                    state = size == 0 ? .trailerLineStart : .data(remaining: size)
                    size = 0
                    digits = 0
                }
            case .dataEnd:
                if bytes[i] == ASCII.lf { state = .size }
            case .trailerLineStart:
                if bytes[i] == ASCII.lf {
                    state = .finished
                } else if bytes[i] != ASCII.cr {
                    state = .trailerLine
                }
            case .trailerLine:
                if bytes[i] == ASCII.lf { state = .trailerLineStart }
            case .finished:
                return true
            }
            i += 1
        }
        return true
    }
}
