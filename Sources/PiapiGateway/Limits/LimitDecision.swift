/// What checking a request against its user's limits says.
public enum LimitDecision: Sendable, Equatable {
    /// Go ahead; the tightest limit's header values, nil when the user has no limits.
    case admitted(RateLimitStatus?)
    /// 429 before any upstream call; nothing was counted.
    case refused(LimitRefusal)
}
