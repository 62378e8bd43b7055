/// Takes the chunk framing off a `Transfer-Encoding: chunked` body for the tap: the gateway
/// forwards the upstream's body bytes framing and all, and the tap sees the same bytes, so
/// it must find the payload inside them itself. Hands out payload pieces as ranges of the
/// input (no copy); holds no buffer. The grammar is the one `ChunkedBodyScanner` enforces,
/// which has already let these bytes through.
struct ChunkedPayloadDecoder: Sendable {
    private enum State: Sendable {
        case size(digits: Int)
        case chunkExtension
        case sizeLF
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailerLineStart
        case trailerLine
        case trailerLF(ends: Bool)
        case done
    }

    private var state = State.size(digits: 0)
    private var size = 0

    /// Passes each payload piece of `bytes` to `payload`. False when the framing is invalid
    /// (the rest of the body is then not looked at); bytes after the last chunk are ignored.
    mutating func decode(_ bytes: UnsafeRawBufferPointer, payload: (UnsafeRawBufferPointer) -> Void) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let byte = bytes[i]
            switch state {
            case .data(let remaining):
                let take = min(remaining, n - i)
                payload(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + take)]))
                state = take == remaining ? .dataCR : .data(remaining: remaining - take)
                i += take
                continue
            case .size(let digits):
                if let value = Self.hexValue(byte), digits < 15 {
                    size = size << 4 | value
                    state = .size(digits: digits + 1)
                } else if digits > 0, byte == UInt8(ascii: ";") {
                    state = .chunkExtension
                } else if digits > 0, byte == ASCII.cr {
                    state = .sizeLF
                } else {
                    return false
                }
            case .chunkExtension:
                if byte == ASCII.cr {
                    state = .sizeLF
                } else if byte == ASCII.lf {
                    return false
                }
            case .sizeLF:
                guard byte == ASCII.lf else { return false }
                state = size == 0 ? .trailerLineStart : .data(remaining: size)
                size = 0
            case .dataCR:
                guard byte == ASCII.cr else { return false }
                state = .dataLF
            case .dataLF:
                guard byte == ASCII.lf else { return false }
                state = .size(digits: 0)
            case .trailerLineStart:
                state = byte == ASCII.cr ? .trailerLF(ends: true) : .trailerLine
            case .trailerLine:
                if byte == ASCII.cr { state = .trailerLF(ends: false) }
            case .trailerLF(let ends):
                guard byte == ASCII.lf else { return false }
                state = ends ? .done : .trailerLineStart
            case .done:
                return true
            }
            i += 1
        }
        return true
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return Int(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return Int(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }
}
