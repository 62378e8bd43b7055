/// The `Retry-After` and `RateLimit-*` headers of a limit's state, as name/value pairs for a
/// response the gateway writes or passes on.
enum RateLimitHeaders {
    static func status(_ status: RateLimitStatus) -> [(String, String)] {
        [
            ("RateLimit-Limit", String(status.limit)), ("RateLimit-Remaining", String(status.remaining)),
            ("RateLimit-Reset", String(status.reset)),
        ]
    }

    static func refusal(_ refusal: LimitRefusal) -> [(String, String)] {
        [("Retry-After", String(refusal.retryAfter))] + status(refusal.status)
    }

    private static let names = [
        "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset", "ratelimit-policy", "ratelimit",
    ]
    .map { Array($0.utf8) }

    /// Whether the header named at `name` in `bytes` is one of the `RateLimit` fields.
    static func isRateLimitField(_ bytes: UnsafeRawBufferPointer, _ name: Range<Int>) -> Bool {
        names.contains { ASCII.equalsIgnoringCase(bytes, name, $0) }
    }
}
