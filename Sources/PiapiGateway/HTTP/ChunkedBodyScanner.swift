/// Follows a chunked body byte by byte without copying it, so the proxy can forward the
/// raw bytes while still knowing, strictly (RFC 9112 §7.1), where the body ends and whether
/// it is valid: chunk extensions must be well-formed and short.
struct ChunkedBodyScanner: Sendable {
    /// How far a scan got.
    enum Outcome: Equatable {
        /// All given bytes belong to the body; more are needed.
        case needMore
        /// The body ended after this many of the given bytes.
        case finished(consumed: Int)
        /// The framing is invalid.
        case invalid
    }

    /// Where in the chunk grammar the next byte falls.
    private enum State: Sendable {
        case size(digits: Int)
        case chunkExtension(ChunkExtensionScanner)
        case sizeLF
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailerLineStart
        case trailerLine
        case trailerLF(lineWasEmpty: Bool)
    }

    private var state: State = .size(digits: 0)
    private var size = 0
    private var trailerBytes = 0
    private static let maxTrailerBytes = 32 * 1024

    /// Advances over `bytes`, stopping at the end of the body.
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        var i = 0
        let n = bytes.count
        while i < n {
            switch state {
            case .data(let remaining):
                let take = min(remaining, n - i)
                i += take
                state = remaining == take ? .dataCR : .data(remaining: remaining - take)
                continue
            case .size(let digits):
                let b = bytes[i]
                if let v = Self.hexValue(b) {
                    guard digits < 15 else { return .invalid }
                    size = size << 4 | v
                    state = .size(digits: digits + 1)
                } else if digits > 0 && b == ASCII.cr {
                    state = .sizeLF
                } else if digits > 0 {
                    var chunkExtension = ChunkExtensionScanner()
                    guard chunkExtension.take(b) else { return .invalid }
                    state = .chunkExtension(chunkExtension)
                } else {
                    return .invalid
                }
            case .chunkExtension(var chunkExtension):
                let b = bytes[i]
                if b == ASCII.cr {
                    guard chunkExtension.isComplete else { return .invalid }
                    state = .sizeLF
                } else {
                    guard chunkExtension.take(b) else { return .invalid }
                    state = .chunkExtension(chunkExtension)
                }
            case .sizeLF:
                guard bytes[i] == ASCII.lf else { return .invalid }
                if size == 0 {
                    state = .trailerLineStart
                } else {
                    state = .data(remaining: size)
                    size = 0
                }
            case .dataCR:
                guard bytes[i] == ASCII.cr else { return .invalid }
                state = .dataLF
            case .dataLF:
                guard bytes[i] == ASCII.lf else { return .invalid }
                state = .size(digits: 0)
            case .trailerLineStart:
                let b = bytes[i]
                if b == ASCII.cr {
                    state = .trailerLF(lineWasEmpty: true)
                } else if b == ASCII.lf || b == 0 {
                    return .invalid
                } else {
                    state = .trailerLine
                }
            case .trailerLine:
                let b = bytes[i]
                if b == ASCII.cr {
                    state = .trailerLF(lineWasEmpty: false)
                } else if b == ASCII.lf || b == 0 {
                    return .invalid
                }
            case .trailerLF(let lineWasEmpty):
                guard bytes[i] == ASCII.lf else { return .invalid }
                if lineWasEmpty { return .finished(consumed: i + 1) }
                state = .trailerLineStart
            }
            if case .trailerLine = state {
                trailerBytes += 1
                guard trailerBytes <= Self.maxTrailerBytes else { return .invalid }
            }
            i += 1
        }
        return .needMore
    }

    private static func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 0x30...0x39: Int(b - 0x30)
        case 0x41...0x46: Int(b - 0x41 + 10)
        case 0x61...0x66: Int(b - 0x61 + 10)
        default: nil
        }
    }
}
