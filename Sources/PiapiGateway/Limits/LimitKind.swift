/// The six limits a user can have, named as in the config (and in metrics and messages).
public enum LimitKind: String, Sendable, CaseIterable {
    case requestsPerMinute
    case concurrentRequests
    case tokensPerDay
    case tokensPerMonth
    case usdPerDay
    case usdPerMonth
}
