import NIOCore

/// How far a message body runs, tracked while its bytes are forwarded untouched: by a
/// length, by chunked framing, until the connection closes, or not at all.
enum BodyFraming: Sendable {
    case none
    case length(remaining: Int)
    case chunked(ChunkedBodyScanner)
    case untilClose

    /// What one `advance` found in the bytes it was given.
    enum Step: Equatable {
        /// This many leading bytes belong to the body and the body goes on.
        case more(Int)
        /// This many leading bytes end the body.
        case done(Int)
        case invalid
    }

    var isComplete: Bool {
        if case .none = self { return true }
        return false
    }

    /// Consumes the body's share of `buffer`'s readable bytes. Trailer fields and chunk
    /// extensions the body drops (see `ChunkedBodyScanner.Trailers` and `.Extensions`) are
    /// taken out of `buffer`, moving its reader index past them; the step counts the bytes
    /// after them to forward, up to the next bytes to drop, and `payload` how many of those
    /// are content rather than chunk framing.
    mutating func advance(removingDroppedBytesFrom buffer: inout ByteBuffer) -> (step: Step, payload: Int) {
        switch self {
        case .none:
            return (.done(0), 0)
        case .untilClose:
            return (.more(buffer.readableBytes), buffer.readableBytes)
        case .length(let remaining):
            let take = min(remaining, buffer.readableBytes)
            if take == remaining {
                self = .none
                return (.done(take), take)
            }
            self = .length(remaining: remaining - take)
            return (.more(take), take)
        case .chunked(var scanner):
            let before = scanner.payloadBytes
            while true {
                let outcome = buffer.withUnsafeReadableBytes { scanner.scan($0) }
                switch outcome {
                case .forward(let n):
                    self = .chunked(scanner)
                    return (.more(n), scanner.payloadBytes - before)
                case .drop(let n):
                    buffer.moveReaderIndex(forwardBy: n)
                    if buffer.readableBytes == 0 {
                        self = .chunked(scanner)
                        return (.more(0), scanner.payloadBytes - before)
                    }
                case .finished(let consumed):
                    self = .none
                    return (.done(consumed), scanner.payloadBytes - before)
                case .invalid:
                    return (.invalid, 0)
                }
            }
        }
    }
}
