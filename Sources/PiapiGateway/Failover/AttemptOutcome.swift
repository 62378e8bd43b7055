/// How one try at one candidate ended. The raw values are what the request log's `attempts`
/// and the `outcome` label of `piapi_upstream_attempts_total` show.
public enum AttemptOutcome: String, Sendable, CaseIterable {
    /// A response that is not a failure (2xx, 3xx, and 4xx other than 401/403/429).
    case ok
    case connectError = "connect_error"
    /// The connection closed or reset before the response head.
    case reset
    /// No response head within `--upstream-timeout`.
    case timeout
    /// The upstream answered with something that is not HTTP/1.x.
    case invalidResponse = "invalid_response"
    /// Any 5xx.
    case serverError = "server_error"
    /// 429.
    case rateLimited = "rate_limited"
    /// 401.
    case unauthorized
    /// 403.
    case forbidden

    /// The outcome of a response with `status` (contract §5: 5xx, 429, 401 and 403 fail).
    init(status: Int) {
        switch status {
        case 500...599: self = .serverError
        case 429: self = .rateLimited
        case 401: self = .unauthorized
        case 403: self = .forbidden
        default: self = .ok
        }
    }

    /// Whether the try failed, so the next candidate may be tried and this one cools down.
    public var isFailure: Bool { self != .ok }
}
