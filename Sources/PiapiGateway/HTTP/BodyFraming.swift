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

    /// Consumes the body's share of `buffer`'s readable bytes (without moving its reader index).
    mutating func advance(over buffer: ByteBuffer) -> Step {
        switch self {
        case .none:
            return .done(0)
        case .untilClose:
            return .more(buffer.readableBytes)
        case .length(let remaining):
            let take = min(remaining, buffer.readableBytes)
            if take == remaining {
                self = .none
                return .done(take)
            }
            self = .length(remaining: remaining - take)
            return .more(take)
        case .chunked(var scanner):
            let outcome = buffer.withUnsafeReadableBytes { scanner.scan($0) }
            switch outcome {
            case .needMore:
                self = .chunked(scanner)
                return .more(buffer.readableBytes)
            case .finished(let consumed):
                self = .none
                return .done(consumed)
            case .invalid:
                return .invalid
            }
        }
    }
}
