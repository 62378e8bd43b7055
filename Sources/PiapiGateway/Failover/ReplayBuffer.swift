import NIOCore

/// The request body bytes sent so far, kept while a later candidate may need them again
/// (`--retry-body-limit`). A body that outgrows the limit is let go: the request then stays
/// with the candidate it is at.
struct ReplayBuffer {
    /// The chunk framing a replay may hold beside a small limit's content; beyond that, as much
    /// as the limit. Tiny chunks or long chunk extensions cannot make it many times the limit.
    static let minFramingAllowance = 64 * 1024

    /// The body exactly as the client framed it.
    private(set) var bytes = ByteBuffer()
    /// The content in `bytes`, chunk framing aside: what the limit counts.
    private var payload = 0

    /// An empty replay for a body framed so, or nil when it is known to be larger than `limit`.
    static func forBody(_ framing: BodyFraming, limit: Int) -> ReplayBuffer? {
        switch framing {
        case .length(let remaining): remaining <= limit ? ReplayBuffer() : nil
        default: ReplayBuffer()
        }
    }

    /// Keeps `slice` (`payload` of it content, the rest chunk framing); false when the content
    /// outgrew `limit` or the framing its allowance, and the replay must be dropped.
    mutating func hold(_ slice: ByteBuffer, payload: Int, limit: Int) -> Bool {
        self.payload += payload
        let framing = bytes.readableBytes + slice.readableBytes - self.payload
        guard self.payload <= limit, framing <= max(limit, Self.minFramingAllowance) else { return false }
        bytes.writeImmutableBuffer(slice)
        return true
    }
}
