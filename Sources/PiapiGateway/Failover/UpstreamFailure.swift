/// Why a try at an upstream ended without a response the client can be given, as the upstream
/// side and the timers see it. It is mapped twice, each in one place: to the try's
/// `AttemptOutcome` (health, the log's `attempts`) and to the `GatewayError` the client gets
/// when nothing better is left. Before this type, transport failures travelled as the
/// client-facing error and were mapped back to an outcome by comparing errors.
enum UpstreamFailure: Equatable, Sendable {
    /// The connection could not be opened (refused, unresolvable, TLS failed, connect timeout).
    case unreachable
    /// The connection closed or reset before the response was complete.
    case closed
    /// The upstream sent something that is not an acceptable HTTP/1.x response (a broken head
    /// or framing, too many 1xx heads, a `101`).
    case invalidResponse
    /// No response head within `--upstream-timeout`, or silence mid-stream beyond `--idle-timeout`.
    case timeout

    var attemptOutcome: AttemptOutcome {
        switch self {
        case .unreachable: .connectError
        case .closed: .reset
        case .invalidResponse: .invalidResponse
        case .timeout: .timeout
        }
    }

    var gatewayError: GatewayError {
        switch self {
        case .unreachable: .upstreamUnreachable
        case .closed: .upstreamClosed
        case .invalidResponse: .upstreamInvalid
        case .timeout: .upstreamTimeout
        }
    }
}
