/// Follows a chunked body byte by byte without copying it, so the proxy can forward the
/// raw bytes while still knowing, strictly (RFC 9112 §7.1), where the body ends and whether
/// it is valid: chunk extensions must be well-formed and short, trailer lines well-formed
/// fields.
struct ChunkedBodyScanner: Sendable {
    /// What becomes of the trailer fields.
    enum Trailers: Sendable {
        /// Forwarded with the rest of the body (a response's, to the client).
        case forwarded
        /// Left out: the last chunk is followed directly by the final CRLF. A request's, so
        /// fields the client adds after the head never reach the upstream; a response's, so an
        /// upstream cannot hand the injected credential back in one.
        case dropped
    }

    /// What becomes of chunk extensions (`5;name=value`), which are checked either way.
    enum Extensions: Sendable {
        /// Forwarded as they came.
        case forwarded
        /// Left out, the chunk size kept: like trailer fields they could carry a key across (a
        /// client's own to the upstream, the injected one back to the client), and no HTTP/1.1
        /// API reads them.
        case dropped
    }

    /// How far a scan got.
    enum Outcome: Equatable {
        /// The first this many given bytes belong to the body and are forwarded; more are
        /// needed. Fewer than all the given bytes only where trailer fields to drop follow.
        case forward(Int)
        /// The first this many given bytes are trailer fields or chunk extensions to drop;
        /// more are needed.
        case drop(Int)
        /// The body ended after this many of the given bytes.
        case finished(consumed: Int)
        /// The framing is invalid, in the bytes reported or in any given after them.
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
        case trailerName
        case trailerValue
        case trailerLF
        case finalLF
    }

    let trailers: Trailers
    let extensions: Extensions
    private var state: State = .size(digits: 0)
    private var size = 0
    private var trailerBytes = 0
    /// The chunk data seen so far: the body's content, without the framing around it.
    private(set) var payloadBytes = 0
    private static let maxTrailerBytes = 32 * 1024
    /// How many bytes from where the last scan stopped are known to hold no framing error: a
    /// next scan given no more than these needs no look ahead.
    private var verifiedAhead = 0

    init(trailers: Trailers = .forwarded, extensions: Extensions = .forwarded) {
        self.trailers = trailers
        self.extensions = extensions
    }

    /// What the gateway uses both ways: only sizes, payload and the final CRLF pass.
    static var framingOnly: ChunkedBodyScanner { ChunkedBodyScanner(trailers: .dropped, extensions: .dropped) }

    /// Advances over `bytes`, stopping at the end of the body and where trailer fields or
    /// chunk extensions to drop begin or end. The bytes past such a stop are checked too, not
    /// consumed: a framing error already in sight makes the outcome invalid, so nothing before
    /// it goes on either. The caller passes what follows a stop next; bytes checked already
    /// are not checked again (a body of many tiny chunks with extensions stops at every one,
    /// and checking the rest each time made a 64 KiB read cost quadratic time).
    mutating func scan(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        let outcome = scanSegment(bytes)
        switch outcome {
        case .forward(let n), .drop(let n):
            let rest = bytes.count - n
            if bytes.count <= verifiedAhead || rest == 0 {
                verifiedAhead = rest
                return outcome
            }
            var ahead = self
            guard ahead.checkAll(UnsafeRawBufferPointer(rebasing: bytes[n...])) else { return .invalid }
            verifiedAhead = rest
            return outcome
        case .finished, .invalid:
            verifiedAhead = 0
            return outcome
        }
    }

    /// Whether `bytes` hold no framing error, up to the end of the body.
    private mutating func checkAll(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var rest = bytes
        while !rest.isEmpty {
            switch scanSegment(rest) {
            case .forward(let n), .drop(let n): rest = UnsafeRawBufferPointer(rebasing: rest[n...])
            case .finished: return true
            case .invalid: return false
            }
        }
        return true
    }

    /// Advances over `bytes` up to the end of the body or to the next boundary between bytes
    /// to forward and trailer fields or chunk extensions to drop.
    private mutating func scanSegment(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        var i = 0
        let n = bytes.count
        var dropping = (trailers == .dropped && isInTrailerField) || (extensions == .dropped && isInChunkExtension)
        while i < n {
            switch state {
            case .data(let remaining):
                let take = min(remaining, n - i)
                i += take
                payloadBytes += take
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
                    if extensions == .dropped, !dropping {
                        if i > 0 { return .forward(i) }
                        dropping = true
                    }
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
                    if extensions == .dropped, dropping {
                        if i > 0 { return .drop(i) }
                        dropping = false
                    }
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
                let fieldStarts = b != ASCII.cr
                if trailers == .dropped, fieldStarts != dropping {
                    if i > 0 { return dropping ? .drop(i) : .forward(i) }
                    dropping = fieldStarts
                }
                if fieldStarts {
                    guard ASCII.isTokenChar(b) else { return .invalid }
                    state = .trailerName
                } else {
                    state = .finalLF
                }
            case .trailerName:
                let b = bytes[i]
                if b == ASCII.colon {
                    state = .trailerValue
                } else if !ASCII.isTokenChar(b) {
                    return .invalid
                }
            case .trailerValue:
                let b = bytes[i]
                if b == ASCII.cr {
                    state = .trailerLF
                } else if !HeaderField.allowsInValue(b) {
                    return .invalid
                }
            case .trailerLF:
                guard bytes[i] == ASCII.lf else { return .invalid }
                state = .trailerLineStart
            case .finalLF:
                guard bytes[i] == ASCII.lf else { return .invalid }
                return .finished(consumed: i + 1)
            }
            if isInTrailerField {
                trailerBytes += 1
                guard trailerBytes <= Self.maxTrailerBytes else { return .invalid }
            }
            i += 1
        }
        return dropping ? .drop(n) : .forward(n)
    }

    /// Whether the next byte is inside a trailer field line (past its first byte).
    private var isInTrailerField: Bool {
        switch state {
        case .trailerName, .trailerValue, .trailerLF: true
        default: false
        }
    }

    /// Whether the next byte is inside a chunk extension (past its first byte).
    private var isInChunkExtension: Bool {
        if case .chunkExtension = state { return true }
        return false
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
