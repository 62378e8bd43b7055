/// The inflate side of permessage-deflate (RFC 7692 §7.2.2) for the server's messages: raw
/// deflate, each message's payload followed by the `00 00 ff ff` its sender took off. With
/// context takeover the window runs on from one message to the next, so every compressed
/// message (binary too) goes through here even when only text is wanted.
///
/// Memory: zlib's state and window (about 40 KiB) plus a 16 KiB output scratch, allocated on
/// the first compressed message only, so an idle tunnel pays nothing for it.
final class WebSocketInflater {
    private static let tail: [UInt8] = [0x00, 0x00, 0xFF, 0xFF]
    private static let scratchBytes = 16 * 1024

    private let resetPerMessage: Bool
    private var stream: ZlibStream?
    private var scratch: UnsafeMutableRawBufferPointer?

    init(serverNoContextTakeover: Bool) {
        resetPerMessage = serverNoContextTakeover
    }

    deinit {
        scratch?.deallocate()
    }

    /// Inflates part of a message's payload, handing the output on; false on data zlib refuses.
    func inflate(_ payload: UnsafeRawBufferPointer, into consume: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard !payload.isEmpty else { return true }
        guard let stream = stream ?? ZlibStream(windowBits: -15) else { return false }
        self.stream = stream
        let scratch = self.scratch ?? .allocate(byteCount: Self.scratchBytes, alignment: 8)
        self.scratch = scratch
        let outcome = stream.inflate(payload, through: scratch) {
            consume($0)
            return true
        }
        return outcome == .needsInput
    }

    /// Ends a message: the flush marker completes its last block. Without context takeover
    /// the next message starts a fresh stream.
    func endMessage(into consume: (UnsafeRawBufferPointer) -> Void) -> Bool {
        let valid = Self.tail.withUnsafeBytes { inflate($0, into: consume) }
        if resetPerMessage { stream = nil }
        return valid
    }
}
