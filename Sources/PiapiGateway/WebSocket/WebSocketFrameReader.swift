import NIOCore

/// Reads the frames of one direction of a WebSocket connection on the side (RFC 6455 §5) and
/// hands on each whole text message, reassembled from its fragments and inflated when
/// permessage-deflate compressed it. The bytes it reads are forwarded by the tunnel whatever
/// happens here: a frame it cannot read makes it stop for good (`failure`), never throws.
///
/// Memory is bounded whatever the stream holds: a frame header (at most 14 bytes), the text
/// message being assembled (at most `maxMessageBytes`; a longer one is scanned for its usage
/// by an `OversizedEventScanner` instead, and counted in `oversizedMessages`), two bytes of a
/// close frame, and the inflater when deflate is on.
/// Lengths are counted down, never allocated, so a 2^63−1-byte frame costs nothing but time.
/// Binary messages are skipped without being copied (inflated, though, when compressed: the
/// window they leave is the next message's dictionary).
///
/// A value type, but its inflater is a reference: one reader per direction, never copied on.
struct WebSocketFrameReader {
    /// The largest text message assembled: the usage tap's limit for one event.
    static let maxMessageBytes = UsageTap.maxEventBytes

    /// Why the reader stopped; the raw value is what the session log line shows.
    enum Failure: String, Sendable, Equatable {
        /// An extension other than permessage-deflate was negotiated.
        case unreadableExtension = "unreadable_extension"
        /// RSV2/RSV3 set, or RSV1 without deflate, or on a continuation or control frame.
        case reservedBits = "reserved_bits"
        case reservedOpcode = "reserved_opcode"
        /// A control frame fragmented or longer than 125 bytes.
        case badControlFrame = "bad_control_frame"
        /// A 64-bit length with its most significant bit set.
        case badLength = "bad_length"
        /// A continuation frame with no message open.
        case unexpectedContinuation = "unexpected_continuation"
        /// A new text or binary frame while a fragmented message is still open.
        case interleavedMessage = "interleaved_message"
        /// Compressed data zlib refuses.
        case inflate = "inflate_error"
    }

    private enum Phase {
        case header
        case payload(remaining: UInt64)
        case stopped
    }

    /// The data message being read.
    private enum Message {
        case none
        case text(compressed: Bool)
        case binary(compressed: Bool)

        var compressed: Bool {
            switch self {
            case .none: false
            case .text(let c), .binary(let c): c
            }
        }
    }

    private struct Frame {
        var opcode: UInt8 = 0
        var fin = false
        var mask: (UInt8, UInt8, UInt8, UInt8)?
        /// Payload bytes of this frame read so far (the mask's phase).
        var offset = 0
        var isControl: Bool { opcode >= 8 }
    }

    private let deflate: Bool
    /// False: only the framing and close frames are followed (the client's direction, read
    /// to know who started the close handshake); no payload is copied or inflated.
    private let readsText: Bool
    private var phase = Phase.header
    private var header: [UInt8] = []
    private var frame = Frame()
    private var message = Message.none
    /// The text message so far; nil between messages (an idle tunnel holds no buffer).
    private var text: ByteBuffer?
    /// The current text message outgrew `maxMessageBytes`: the rest of it is scanned.
    private var oversized = false
    private var scanner: OversizedEventScanner?
    private var inflater: WebSocketInflater?
    private var closePayload: [UInt8] = []

    private(set) var failure: Failure?
    /// The status code of the last close frame read (RFC 6455 §7.4), when it had one.
    private(set) var closeCode: UInt16?
    /// A close frame has been read.
    private(set) var sawClose = false
    private(set) var oversizedMessages = 0

    init(extensions: WebSocketExtensions, readsText: Bool = true) {
        self.readsText = readsText
        switch extensions {
        case .none:
            deflate = false
        case .deflate(let noTakeover):
            deflate = true
            if readsText { inflater = WebSocketInflater(serverNoContextTakeover: noTakeover) }
        case .unreadable:
            deflate = false
            failure = .unreadableExtension
            phase = .stopped
        }
    }

    /// The reader stopped (unreadable frames, or an extension it does not know).
    var stopped: Bool { failure != nil }

    /// The bytes held now, for tests of the memory bound (the inflater's fixed state aside).
    var retainedBytes: Int {
        header.capacity + (text?.capacity ?? 0) + closePayload.capacity + (scanner?.retainedBytes ?? 0)
    }

    mutating func feed(
        _ bytes: ByteBuffer, onText: (ByteBuffer) -> Void,
        onOversized: (OversizedEventScanner) -> Void = { _ in }
    ) {
        bytes.withUnsafeReadableBytes { feed($0, onText: onText, onOversized: onOversized) }
    }

    /// Reads the next bytes of the stream, calling `onText` with each text message completed,
    /// or `onOversized` with the scan of one over `maxMessageBytes`.
    mutating func feed(
        _ bytes: UnsafeRawBufferPointer, onText: (ByteBuffer) -> Void,
        onOversized: (OversizedEventScanner) -> Void = { _ in }
    ) {
        var i = 0
        let n = bytes.count
        while i < n {
            switch phase {
            case .stopped:
                return
            case .header:
                let needed = Self.headerLength(header, next: bytes[i...])
                let take = min(needed - header.count, n - i)
                header.append(contentsOf: bytes[i..<(i + take)])
                i += take
                guard header.count == needed, Self.headerLength(header, next: bytes[n...]) == needed else { continue }
                startFrame()
                if case .payload(remaining: 0) = phase {
                    phase = .header
                    endFrame(onText: onText, onOversized: onOversized)
                }
            case .payload(let remaining):
                let take = Int(min(UInt64(n - i), remaining))
                payload(UnsafeRawBufferPointer(rebasing: bytes[i..<(i + take)]))
                i += take
                if case .stopped = phase { return }
                if remaining == UInt64(take) {
                    phase = .header
                    endFrame(onText: onText, onOversized: onOversized)
                } else {
                    phase = .payload(remaining: remaining - UInt64(take))
                }
            }
        }
    }

    /// How long the header starting with `have` (then `next`) is: 2 bytes until the second
    /// is known, then the extended length and the mask key it announces.
    private static func headerLength(_ have: [UInt8], next: Slice<UnsafeRawBufferPointer>) -> Int {
        let second: UInt8
        if have.count >= 2 {
            second = have[1]
        } else if have.count == 1, let first = next.first {
            second = first
        } else {
            return 2
        }
        let length7 = second & 0x7F
        return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + (second & 0x80 != 0 ? 4 : 0)
    }

    private mutating func startFrame() {
        let b0 = header[0]
        let b1 = header[1]
        var length = UInt64(b1 & 0x7F)
        var at = 2
        if length == 126 {
            length = UInt64(header[2]) << 8 | UInt64(header[3])
            at = 4
        } else if length == 127 {
            length = header[2..<10].reduce(0) { $0 << 8 | UInt64($1) }
            at = 10
            guard length >> 63 == 0 else { return stop(.badLength) }
        }
        frame = Frame(opcode: b0 & 0x0F, fin: b0 & 0x80 != 0)
        if b1 & 0x80 != 0 { frame.mask = (header[at], header[at + 1], header[at + 2], header[at + 3]) }
        header.removeAll(keepingCapacity: true)
        let rsv1 = b0 & 0x40 != 0
        guard b0 & 0x30 == 0 else { return stop(.reservedBits) }
        switch frame.opcode {
        case 0x8, 0x9, 0xA:
            guard !rsv1 else { return stop(.reservedBits) }
            guard frame.fin, length <= 125 else { return stop(.badControlFrame) }
            closePayload.removeAll(keepingCapacity: true)
        case 0x0:
            guard !rsv1 else { return stop(.reservedBits) }
            if case .none = message { return stop(.unexpectedContinuation) }
        case 0x1, 0x2:
            guard case .none = message else { return stop(.interleavedMessage) }
            guard !rsv1 || deflate else { return stop(.reservedBits) }
            message = frame.opcode == 0x1 ? .text(compressed: rsv1) : .binary(compressed: rsv1)
        default:
            return stop(.reservedOpcode)
        }
        phase = .payload(remaining: length)
    }

    /// One piece of the current frame's payload, unmasked (in stack-sized chunks) only when
    /// something will read it.
    private mutating func payload(_ bytes: UnsafeRawBufferPointer) {
        if frame.isControl {
            var j = 0
            while frame.opcode == 0x8, closePayload.count < 2, j < bytes.count {
                closePayload.append(bytes[j] ^ maskByte(at: frame.offset + j))
                j += 1
            }
            frame.offset += bytes.count
            return
        }
        guard readsText, message.compressed || isText else {
            frame.offset += bytes.count
            return
        }
        guard let mask = frame.mask else {
            return consume(bytes)
        }
        let key = [mask.0, mask.1, mask.2, mask.3]
        withUnsafeTemporaryAllocation(byteCount: 4096, alignment: 8) { scratch in
            var start = 0
            while start < bytes.count {
                let count = min(scratch.count, bytes.count - start)
                for j in 0..<count { scratch[j] = bytes[start + j] ^ key[(frame.offset + j) & 3] }
                frame.offset += count
                consume(UnsafeRawBufferPointer(rebasing: scratch[0..<count]))
                start += count
                if case .stopped = phase { return }
            }
        }
    }

    /// The mask key's byte for payload position `offset` (0 when the frame is not masked).
    private func maskByte(at offset: Int) -> UInt8 {
        guard let mask = frame.mask else { return 0 }
        switch offset & 3 {
        case 0: return mask.0
        case 1: return mask.1
        case 2: return mask.2
        default: return mask.3
        }
    }

    private var isText: Bool {
        if case .text = message { return true }
        return false
    }

    /// Payload bytes of a data frame, unmasked: inflated first when the message is compressed.
    private mutating func consume(_ bytes: UnsafeRawBufferPointer) {
        if frame.mask == nil { frame.offset += bytes.count }
        guard message.compressed, let inflater else {
            return appendText(bytes)
        }
        if !inflater.inflate(bytes, into: { appendText($0) }) { stop(.inflate) }
    }

    private mutating func appendText(_ bytes: UnsafeRawBufferPointer) {
        guard isText else { return }
        if oversized {
            scanner?.feed(bytes)
            return
        }
        let held = text?.readableBytes ?? 0
        guard held + bytes.count <= Self.maxMessageBytes else {
            oversized = true
            var scanner = OversizedEventScanner()
            text?.withUnsafeReadableBytes { scanner.feed($0) }
            scanner.feed(bytes)
            self.scanner = scanner
            text = nil
            return
        }
        if text == nil { text = ByteBufferAllocator().buffer(capacity: max(bytes.count, 256)) }
        text!.writeBytes(bytes)
    }

    private mutating func endFrame(onText: (ByteBuffer) -> Void, onOversized: (OversizedEventScanner) -> Void) {
        if frame.isControl {
            if frame.opcode == 0x8 {
                sawClose = true
                closeCode = closePayload.count == 2 ? UInt16(closePayload[0]) << 8 | UInt16(closePayload[1]) : nil
            }
            return
        }
        guard frame.fin else { return }
        if message.compressed, let inflater, !inflater.endMessage(into: { appendText($0) }) {
            return stop(.inflate)
        }
        if isText, readsText {
            if oversized {
                oversizedMessages += 1
                if let scanner { onOversized(scanner) }
            } else {
                onText(text ?? ByteBuffer())
            }
        }
        message = .none
        oversized = false
        scanner = nil
        text = nil
    }

    private mutating func stop(_ reason: Failure) {
        failure = reason
        phase = .stopped
        text = nil
        scanner = nil
        inflater = nil
        header = []
        closePayload = []
    }
}
