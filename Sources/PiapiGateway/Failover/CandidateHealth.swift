import NIOCore

/// What the gateway remembers about one failing (provider, key) pair: until when it is
/// skipped and how many transient failures in a row led there (the backoff doubles on them).
struct CandidateHealth: Sendable {
    var coolingUntil: NIODeadline
    var transientFailures = 0
    var lastOutcome: AttemptOutcome

    init(failure outcome: AttemptOutcome, retryAfter: Double?, at now: NIODeadline) {
        coolingUntil = now
        lastOutcome = outcome
        record(outcome, retryAfter: retryAfter, at: now)
    }

    /// Applies one more failure.
    mutating func record(_ outcome: AttemptOutcome, retryAfter: Double?, at now: NIODeadline) {
        switch outcome {
        case .connectError, .reset, .timeout, .invalidResponse, .serverError: transientFailures += 1
        default: transientFailures = 0
        }
        lastOutcome = outcome
        let seconds = CooldownPolicy.seconds(
            after: outcome, retryAfter: retryAfter, transientFailures: transientFailures)
        coolingUntil = now + .nanoseconds(Int64(seconds * 1e9))
    }

    func isCooling(at now: NIODeadline) -> Bool { coolingUntil > now }

    func secondsLeft(at now: NIODeadline) -> Double {
        coolingUntil > now ? Double((coolingUntil - now).nanoseconds) / 1e9 : 0
    }
}
