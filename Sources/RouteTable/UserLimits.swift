/// A user's effective limits: the config's `limits` defaults with the user's own `limits`
/// applied field by field, worked out by the compiler (the gateway does no merging).
/// `nil` means unlimited. Enforcing them is piapi-serve's job.
public struct UserLimits: Hashable, Sendable {
    /// The limits by their config names, in storage order.
    public enum Field: String, CaseIterable, Sendable {
        case requestsPerMinute
        case concurrentRequests
        case tokensPerDay
        case tokensPerMonth
        case usdPerDay
        case usdPerMonth

        /// The config spelling (`requestsPerMinute`, …), also used in messages and labels.
        public var name: String { rawValue }

        /// USD budgets are numbers; the others are whole counts.
        public var isUSD: Bool { self == .usdPerDay || self == .usdPerMonth }
    }

    /// The largest count a limit may have (2^53 − 1): exact in JSON and in a `Double`.
    public static let maxCount = 9_007_199_254_740_991

    /// Requests started in any sliding 60-second window.
    public var requestsPerMinute: Int?
    /// Requests in flight at once (a stream counts until it ends).
    public var concurrentRequests: Int?
    /// Tokens (input, cache read, cache write, output) per calendar day, UTC.
    public var tokensPerDay: Int?
    /// Tokens per calendar month, UTC.
    public var tokensPerMonth: Int?
    /// Spend in USD per calendar day, UTC (needs `prices`).
    public var usdPerDay: Double?
    /// Spend in USD per calendar month, UTC (needs `prices`).
    public var usdPerMonth: Double?

    public init(
        requestsPerMinute: Int? = nil, concurrentRequests: Int? = nil, tokensPerDay: Int? = nil,
        tokensPerMonth: Int? = nil, usdPerDay: Double? = nil, usdPerMonth: Double? = nil
    ) {
        self.requestsPerMinute = requestsPerMinute
        self.concurrentRequests = concurrentRequests
        self.tokensPerDay = tokensPerDay
        self.tokensPerMonth = tokensPerMonth
        self.usdPerDay = usdPerDay
        self.usdPerMonth = usdPerMonth
    }

    /// No limit at all.
    public static let unlimited = UserLimits()

    public var isUnlimited: Bool { self == .unlimited }

    /// A count limit by field (nil for the USD fields and for unlimited).
    public subscript(count field: Field) -> Int? {
        get {
            switch field {
            case .requestsPerMinute: requestsPerMinute
            case .concurrentRequests: concurrentRequests
            case .tokensPerDay: tokensPerDay
            case .tokensPerMonth: tokensPerMonth
            case .usdPerDay, .usdPerMonth: nil
            }
        }
        set {
            switch field {
            case .requestsPerMinute: requestsPerMinute = newValue
            case .concurrentRequests: concurrentRequests = newValue
            case .tokensPerDay: tokensPerDay = newValue
            case .tokensPerMonth: tokensPerMonth = newValue
            case .usdPerDay, .usdPerMonth: break
            }
        }
    }

    /// A USD limit by field (nil for the count fields and for unlimited).
    public subscript(usd field: Field) -> Double? {
        get {
            switch field {
            case .usdPerDay: usdPerDay
            case .usdPerMonth: usdPerMonth
            default: nil
            }
        }
        set {
            switch field {
            case .usdPerDay: usdPerDay = newValue
            case .usdPerMonth: usdPerMonth = newValue
            default: break
            }
        }
    }

    /// Whether `field` has a limit.
    public func isSet(_ field: Field) -> Bool {
        field.isUSD ? self[usd: field] != nil : self[count: field] != nil
    }

    /// Refuses what no config can produce: a count outside 1...maxCount, a USD limit that is
    /// not a positive finite number.
    static func check(_ limits: UserLimits, user: Int) throws(TableError) {
        for field in Field.allCases {
            if let count = limits[count: field], !(1...maxCount).contains(count) {
                throw .invalid("user \(user) has \(field.name) outside 1...\(maxCount)")
            }
            if let usd = limits[usd: field], !(usd.isFinite && usd > 0) {
                throw .invalid("user \(user) has \(field.name) that is not a positive number")
            }
        }
    }
}
