/// Why a request was refused before any upstream call: which limit, its configured value
/// (as the message shows it), and when to try again.
public struct LimitRefusal: Sendable, Equatable {
    public let kind: LimitKind
    /// The limit as configured, e.g. `60` or `200.5`.
    public let value: String
    /// Whole seconds, at least 1, for `Retry-After`.
    public let retryAfter: Int
    public let status: RateLimitStatus

    /// The 429 message: names the limit and its value, never anything else of the user.
    public var message: String {
        "limit \(kind.rawValue) of \(value) reached; retry after \(retryAfter) s"
    }
}
