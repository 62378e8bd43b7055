import NIOCore

/// Reads the server→client half of a session for Responses usage (contract §11, §8): the
/// frames are reassembled into text messages, each message goes through a `UsageTap` as one
/// event, and every final event (`response.completed`, `.incomplete`, `.failed`) closes one
/// response's usage and starts the next. The unit of accounting is that response, as it
/// would be one HTTP request over the Responses SSE transport.
struct WebSocketUsageReader {
    private var frames: WebSocketFrameReader
    private var tap = UsageTap.webSocket()
    /// A message reached the current tap since the last final event.
    private var responseOpen = false

    init(extensions: WebSocketExtensions) {
        frames = WebSocketFrameReader(extensions: extensions)
    }

    /// Why the frame reader gave up, when it did; usage after that point is not read.
    var failure: WebSocketFrameReader.Failure? { frames.failure }
    var closeCode: UInt16? { frames.closeCode }
    var sawClose: Bool { frames.sawClose }
    var retainedBytes: Int { frames.retainedBytes }

    /// Reads bytes as forwarded to the client; `onResponse` gets each response's usage.
    mutating func feed(_ bytes: ByteBuffer, onResponse: (UsageReport) -> Void) {
        guard !frames.stopped else { return }
        var tap = self.tap
        var open = responseOpen
        func read(_ observe: (inout UsageTap) -> Void) {
            observe(&tap)
            open = true
            guard tap.sawFinalEvent else { return }
            onResponse(tap.finish(complete: true))
            tap = UsageTap.webSocket()
            open = false
        }
        frames.feed(
            bytes, onText: { message in read { $0.observeMessage(message) } },
            onOversized: { scanner in read { $0.observeOversizedMessage(scanner) } })
        self.tap = tap
        responseOpen = open
    }

    /// The usage seen of a response the session ended in the middle of (marked partial); nil
    /// when none of it was seen, unless a message was too large to read (`too_large`): that
    /// one may have carried the usage, and must not pass unflagged.
    func unfinished() -> UsageReport? {
        guard responseOpen else { return nil }
        let report = tap.finish(complete: false)
        return report.unknownReason == nil || report.unknownReason == .tooLarge ? report : nil
    }
}
