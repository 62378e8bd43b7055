/// What happens to a request after one of its tries failed before anything of that try
/// reached the client (contract §5): try the next candidate, answer with the last failure
/// response read whole, or answer with the gateway's own error for the failure.
enum FailoverDecision: Equatable, Sendable {
    case tryNext
    /// Send the failure response an earlier try captured, as the upstream sent it.
    case answerCaptured
    /// Answer with the failure's `GatewayError`; `closeClient` when the try timed out (the
    /// request may still be half-sent and a slow upstream is no reason to keep the client).
    case fail(closeClient: Bool)

    static func after(_ outcome: AttemptOutcome, mayTryAnother: Bool, hasCapturedAnswer: Bool) -> FailoverDecision {
        if mayTryAnother { return .tryNext }
        if hasCapturedAnswer { return .answerCaptured }
        return .fail(closeClient: outcome == .timeout)
    }

    /// Whether the request may still go to another candidate: nothing reached the client (not
    /// even a 1xx), the body can be replayed, and the plan has a candidate left.
    static func mayTryAnother(
        responseStarted: Bool, sentInformational: Bool, bodyReplayable: Bool,
        planHasNext: Bool
    ) -> Bool {
        !responseStarted && !sentInformational && bodyReplayable && planHasNext
    }
}
