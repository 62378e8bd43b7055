/// A user's effective limits, resolved by the compiler (defaults merged with the user's
/// overrides); nil means unlimited.
public struct UserLimits: Sendable, Equatable, Hashable {
    public var requestsPerMinute: Int?
    public var concurrentRequests: Int?
    public var tokensPerDay: Int?
    public var tokensPerMonth: Int?
    public var usdPerDay: Double?
    public var usdPerMonth: Double?

    public init(requestsPerMinute: Int? = nil, concurrentRequests: Int? = nil, tokensPerDay: Int? = nil,
                tokensPerMonth: Int? = nil, usdPerDay: Double? = nil, usdPerMonth: Double? = nil) {
        self.requestsPerMinute = requestsPerMinute
        self.concurrentRequests = concurrentRequests
        self.tokensPerDay = tokensPerDay
        self.tokensPerMonth = tokensPerMonth
        self.usdPerDay = usdPerDay
        self.usdPerMonth = usdPerMonth
    }

    public static let unlimited = UserLimits()
}
