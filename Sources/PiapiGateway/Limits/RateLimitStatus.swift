/// The values of the `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` headers
/// for one limit. The headers carry integers, so USD budgets are given in whole dollars
/// (limit rounded up, remaining rounded down).
public struct RateLimitStatus: Sendable, Equatable {
    public let kind: LimitKind
    public let limit: Int
    public let remaining: Int
    /// Seconds until the quota is whole again (the window slides or the calendar turns).
    public let reset: Int

    /// How much of the limit is left, 0...1: the tightest limit is the one with the least.
    var fractionLeft: Double { limit > 0 ? Double(remaining) / Double(limit) : 0 }
}
