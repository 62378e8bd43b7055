import NIOCore

@testable import PiapiGateway

/// libFuzzer entry for the WebSocket frame reader, which reads both directions of every tunnel
/// on the side. Input: one flags byte (bit 0: permessage-deflate, bit 1: without context
/// takeover, bit 2: the client's direction, which follows framing only), one split byte, then
/// the stream. Besides "never crash", it checks what the tunnel relies on: the stream read in
/// two pieces, in 7-byte pieces and whole gives the same messages, oversized scans, failure and
/// close code (the reader keeps no state that depends on how reads arrive); no message is
/// longer than `maxMessageBytes`; and what it holds stays bounded (a header, one message,
/// a close payload).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocketFrames(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 2 else { return 0 }
    let flags = data[0]
    let extensions: WebSocketExtensions = flags & 1 != 0 ? .deflate(serverNoContextTakeover: flags & 2 != 0) : .none
    let readsText = flags & 4 == 0
    let stream = UnsafeRawBufferPointer(start: data + 2, count: size - 2)
    let split = min(Int(data[1]) * 8, stream.count)

    let whole = Reading(extensions, readsText: readsText, pieces: [stream])
    let halves = Reading(
        extensions, readsText: readsText,
        pieces: [
            UnsafeRawBufferPointer(rebasing: stream[..<split]),
            UnsafeRawBufferPointer(rebasing: stream[split...]),
        ])
    let small = Reading(
        extensions, readsText: readsText,
        pieces: stride(from: 0, to: stream.count, by: 7).map {
            UnsafeRawBufferPointer(rebasing: stream[$0..<min($0 + 7, stream.count)])
        })
    for other in [halves, small] {
        precondition(other.messages == whole.messages, "the messages depend on how the bytes arrived")
        precondition(other.oversized == whole.oversized, "oversized messages depend on how the bytes arrived")
        precondition(
            other.failure == whole.failure && other.closeCode == whole.closeCode,
            "the reader's verdict depends on how the bytes arrived")
    }
    if !readsText { precondition(whole.messages.isEmpty, "the client's direction handed on a message") }
    return 0
}

/// One reading of a stream, in the given pieces.
struct Reading {
    var messages: [[UInt8]] = []
    var oversized = 0
    var failure: WebSocketFrameReader.Failure?
    var closeCode: UInt16?

    init(_ extensions: WebSocketExtensions, readsText: Bool, pieces: [UnsafeRawBufferPointer]) {
        var reader = WebSocketFrameReader(extensions: extensions, readsText: readsText)
        var messages: [[UInt8]] = []
        for piece in pieces {
            reader.feed(piece) { text in
                precondition(text.readableBytes <= WebSocketFrameReader.maxMessageBytes, "a message over the limit")
                messages.append(Array(text.readableBytesView))
            }
            // A header (≤ 14 bytes), one message, a close payload (≤ 125), the oversized scan.
            precondition(
                reader.retainedBytes <= 2 * WebSocketFrameReader.maxMessageBytes + 64 * 1024,
                "the reader holds more than one message")
        }
        self.messages = messages
        oversized = reader.oversizedMessages
        failure = reader.failure
        closeCode = reader.closeCode
    }
}
