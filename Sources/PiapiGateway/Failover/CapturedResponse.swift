import NIOCore

/// A failed upstream response read whole instead of forwarded, because another candidate
/// is still to be tried. If every later try fails without a response, the client gets this
/// one as it was.
struct CapturedResponse {
    /// Failure responses are short; a longer body is not worth holding.
    static let maxBodyBytes = 64 * 1024

    let head: ResponseHead
    var outcome: AttemptOutcome { AttemptOutcome(status: head.status) }
    /// Seconds from the 429's `Retry-After`, if it had a usable one.
    let retryAfter: Double?
    /// The body bytes exactly as framed by the upstream.
    var body = ByteBuffer()
}
