/// How long a failed candidate is skipped (contract §5): rate limits as long as the upstream
/// asks, rejected keys for long enough that a human can fix them, and everything transient
/// briefly at first, doubling while it keeps failing.
enum CooldownPolicy {
    /// 429 without a usable `Retry-After`.
    static let rateLimitSeconds = 30.0
    /// 401 and 403: the key was revoked or lacks access.
    static let rejectedKeySeconds = 600.0
    static let transientBaseSeconds = 5.0
    static let transientMaxSeconds = 300.0
    /// An upstream cannot bench a key for longer than this with a huge `Retry-After`.
    static let retryAfterMaxSeconds = 86_400.0

    /// Seconds to cool down after `outcome`; `retryAfter` is the 429's parsed header and
    /// `transientFailures` counts this failure and the transient ones right before it.
    static func seconds(after outcome: AttemptOutcome, retryAfter: Double?, transientFailures: Int) -> Double {
        switch outcome {
        case .ok:
            return 0
        case .rateLimited:
            return min(max(retryAfter ?? rateLimitSeconds, 0), retryAfterMaxSeconds)
        case .unauthorized, .forbidden:
            return rejectedKeySeconds
        case .connectError, .reset, .timeout, .invalidResponse, .serverError:
            let doublings = min(max(transientFailures - 1, 0), 16)
            return min(transientBaseSeconds * Double(1 << doublings), transientMaxSeconds)
        }
    }
}
