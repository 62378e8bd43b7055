import NIOCore
import Testing

@testable import PiapiGateway

/// The side reader of server→client frames: whatever arrives, it hands on exactly the whole
/// text messages, in bounded memory, or stops cleanly.
@Suite struct WebSocketFrameReaderTests {
    /// Feeds `bytes` in pieces of `piece` bytes; returns the text messages read.
    static func read(
        _ bytes: [UInt8], piece: Int = .max, extensions: WebSocketExtensions = .none
    )
        -> (messages: [String], reader: WebSocketFrameReader)
    {
        var reader = WebSocketFrameReader(extensions: extensions)
        var messages: [String] = []
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + min(piece, bytes.count))
            bytes[start..<end].withUnsafeBytes { reader.feed($0) { messages.append(String(buffer: $0)) } }
            start = end
        }
        return (messages, reader)
    }

    @Test func textMessagesInAnyPieces() {
        let stream =
            WebSocketFrames.text("hello") + WebSocketFrames.frame(0x2, [1, 2, 3]) + WebSocketFrames.text("")
            + WebSocketFrames.text(String(repeating: "x", count: 300)) + WebSocketFrames.text("end")
        for piece in [1, 2, 3, 7, 1000] {
            let (messages, reader) = Self.read(stream, piece: piece)
            #expect(messages == ["hello", "", String(repeating: "x", count: 300), "end"], "piece \(piece)")
            #expect(reader.failure == nil)
        }
    }

    @Test func maskedFramesAreUnmasked() {
        let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        let long = String(repeating: "abcdefg", count: 2000)
        let (messages, _) = Self.read(
            WebSocketFrames.text("Hello", mask: mask) + WebSocketFrames.text(long, mask: mask), piece: 5)
        #expect(messages == ["Hello", long])
    }

    @Test func fragmentsWithControlFramesBetween() {
        let mask: [UInt8] = [1, 2, 3, 4]
        let stream =
            WebSocketFrames.frame(0x1, Array("Hel".utf8), fin: false)
            + WebSocketFrames.frame(0x9, Array("ping".utf8))
            + WebSocketFrames.frame(0x0, Array("lo, ".utf8), fin: false, mask: mask)
            + WebSocketFrames.frame(0xA, [])
            + WebSocketFrames.frame(0x0, Array("world".utf8))
            + WebSocketFrames.frame(0x8, [0x03, 0xE8] + Array("bye".utf8), mask: mask)
        let (messages, reader) = Self.read(stream, piece: 3)
        #expect(messages == ["Hello, world"])
        #expect(reader.closeCode == 1000)
        #expect(reader.failure == nil)
    }

    @Test func longerLengthFormsAreRead() {
        let payload = Array(String(repeating: "z", count: 70_000).utf8)
        let stream =
            WebSocketFrames.frame(0x1, Array("a".utf8), length: .sixteen)
            + WebSocketFrames.frame(0x1, Array("b".utf8), length: .sixtyFour)
            + WebSocketFrames.frame(0x1, payload)
        #expect(Self.read(stream, piece: 4096).messages == ["a", "b", String(repeating: "z", count: 70_000)])
    }

    /// A binary frame announcing 2^63−1 bytes costs nothing: its length is counted down.
    @Test func hugeBinaryFrameIsCountedNotHeld() {
        var reader = WebSocketFrameReader(extensions: .none)
        let header: [UInt8] = [0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        header.withUnsafeBytes { reader.feed($0) { _ in } }
        let chunk = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<16 { chunk.withUnsafeBytes { reader.feed($0) { _ in } } }
        #expect(reader.failure == nil)
        #expect(reader.retainedBytes < 1024)
    }

    @Test func lengthWithTheTopBitSetStopsTheReader() {
        let header: [UInt8] = [0x81, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4]
        let (messages, reader) = Self.read(header + WebSocketFrames.text("after"))
        #expect(messages.isEmpty)
        #expect(reader.failure == .badLength)
    }

    /// A text message over the bound is skipped and counted, in bounded memory; the next is read.
    @Test func oversizedTextIsSkippedInBoundedMemory() {
        let size = WebSocketFrameReader.maxMessageBytes + 10
        var reader = WebSocketFrameReader(extensions: .none)
        var messages: [String] = []
        var peak = 0
        WebSocketFrames.frame(0x1, [], fin: false).withUnsafeBytes {
            reader.feed($0) { messages.append(String(buffer: $0)) }
        }
        let fragment = [UInt8](repeating: UInt8(ascii: "q"), count: 64 * 1024)
        let frame = WebSocketFrames.frame(0x0, fragment, fin: false)
        for _ in 0...(size / fragment.count) {
            frame.withUnsafeBytes { reader.feed($0) { messages.append(String(buffer: $0)) } }
            peak = max(peak, reader.retainedBytes)
        }
        (WebSocketFrames.frame(0x0, [], fin: true) + WebSocketFrames.text("next")).withUnsafeBytes {
            reader.feed($0) { messages.append(String(buffer: $0)) }
        }
        #expect(messages == ["next"])
        #expect(reader.oversizedMessages == 1)
        #expect(peak <= 2 * WebSocketFrameReader.maxMessageBytes)
        #expect(reader.retainedBytes < 1024)
    }

    @Test(arguments: [
        ([0xC1, 0x00] as [UInt8], WebSocketFrameReader.Failure.reservedBits),  // RSV1 without deflate
        ([0xA1, 0x00], .reservedBits),  // RSV2
        ([0x83, 0x00], .reservedOpcode),
        ([0x80, 0x00], .unexpectedContinuation),
        ([0x09, 0x00], .badControlFrame),  // a fragmented ping
        ([0x89, 0x7E, 0x00, 0x7E], .badControlFrame),  // a 126-byte ping
        ([0x01, 0x00, 0x81, 0x00], .interleavedMessage),
    ])
    func garbageStopsTheReaderForGood(bytes: [UInt8], failure: WebSocketFrameReader.Failure) {
        let (messages, reader) = Self.read(bytes + WebSocketFrames.text("never read"))
        #expect(messages.isEmpty)
        #expect(reader.failure == failure)
        #expect(reader.retainedBytes == 0)
    }

    @Test func randomBytesNeverCrashOrGrow() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 1...4096, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            for extensions in [WebSocketExtensions.none, .deflate(serverNoContextTakeover: false)] {
                let (_, reader) = Self.read(bytes, piece: 97, extensions: extensions)
                #expect(reader.retainedBytes <= WebSocketFrameReader.maxMessageBytes + 64)
            }
        }
    }

    @Test func deflateWithContextTakeover() {
        let texts = [
            "{\"type\":\"response.created\"}", "{\"type\":\"response.created\"} again",
            String(repeating: "ab", count: 5000),
        ]
        let payloads = WebSocketFrames.deflated(texts.map { Array($0.utf8) }, contextTakeover: true)
        var stream: [UInt8] = []
        for (i, payload) in payloads.enumerated() {
            if i == 2 {
                // Fragmented: RSV1 on the first frame only, a ping in between.
                let half = payload.count / 2
                stream += WebSocketFrames.frame(0x1, Array(payload[..<half]), fin: false, rsv1: true)
                stream += WebSocketFrames.frame(0x9, [])
                stream += WebSocketFrames.frame(0x0, Array(payload[half...]))
            } else {
                stream += WebSocketFrames.frame(0x1, payload, rsv1: true)
            }
        }
        stream += WebSocketFrames.frame(
            0x2, WebSocketFrames.deflated([[1, 2, 3]], contextTakeover: true)[0], rsv1: true)
        for piece in [1, 13, 100_000] {
            let (messages, reader) = Self.read(
                stream, piece: piece, extensions: .deflate(serverNoContextTakeover: false))
            #expect(messages == texts, "piece \(piece)")
            #expect(reader.failure == nil)
        }
    }

    @Test func deflateWithoutContextTakeover() {
        let texts = ["same text", "same text", "same text, once more"]
        let payloads = WebSocketFrames.deflated(texts.map { Array($0.utf8) }, contextTakeover: false)
        let stream = payloads.flatMap { WebSocketFrames.frame(0x1, $0, rsv1: true, mask: [9, 8, 7, 6]) }
        let (messages, reader) = Self.read(stream, piece: 5, extensions: .deflate(serverNoContextTakeover: true))
        #expect(messages == texts)
        #expect(reader.failure == nil)
    }

    @Test func uncompressedMessagesPassWithDeflateNegotiated() {
        let (messages, _) = Self.read(
            WebSocketFrames.text("plain"), extensions: .deflate(serverNoContextTakeover: false))
        #expect(messages == ["plain"])
    }

    @Test func corruptDeflateStopsTheReader() {
        let stream = WebSocketFrames.frame(0x1, [0xFF, 0xFF, 0xFF, 0xFF], rsv1: true) + WebSocketFrames.text("after")
        let (messages, reader) = Self.read(stream, extensions: .deflate(serverNoContextTakeover: false))
        #expect(messages.isEmpty)
        #expect(reader.failure == .inflate)
    }

    @Test func unknownExtensionReadsNothing() {
        let (messages, reader) = Self.read(WebSocketFrames.text("x"), extensions: .unreadable)
        #expect(messages.isEmpty)
        #expect(reader.failure == .unreadableExtension)
    }

    /// The client's direction is followed for its close frame only: nothing is copied or inflated.
    @Test func closeOnlyReaderCopiesNothing() {
        var reader = WebSocketFrameReader(extensions: .deflate(serverNoContextTakeover: false), readsText: false)
        var messages = 0
        let mask: [UInt8] = [5, 6, 7, 8]
        let stream =
            WebSocketFrames.frame(0x1, Array(String(repeating: "t", count: 100_000).utf8), mask: mask)
            + WebSocketFrames.frame(0x1, [0xFF, 0xFF], rsv1: true, mask: mask)
            + WebSocketFrames.frame(0x8, [0x0F, 0xA0], mask: mask)
        stream.withUnsafeBytes { reader.feed($0) { _ in messages += 1 } }
        #expect(messages == 0)
        #expect(reader.sawClose)
        #expect(reader.closeCode == 4000)
        #expect(reader.failure == nil)
        #expect(reader.retainedBytes < 1024)
    }
}
