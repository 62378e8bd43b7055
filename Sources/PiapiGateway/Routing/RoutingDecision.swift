import RouteTable

/// What the gateway does with one parsed request head, decided before any byte is written.
enum RoutingDecision {
    /// `GET /healthz`.
    case healthz
    /// `GET /metrics` (when public).
    case metrics
    /// An error answer from the gateway itself; nothing goes upstream.
    case refuse(RoutingRefusal)
    /// Forward to the plan's candidates.
    case proxy(ProxyPlan)
}

/// Why a request is answered by the gateway with an error, and what its log line knows.
struct RoutingRefusal {
    let error: GatewayError
    /// The user, once the key was recognised (names only).
    var user: String?
    var service: String?
    /// The connection must close after the answer even if the client wanted to keep it (the
    /// body that follows cannot be skipped safely).
    var closeClient = false
    /// Headers the gateway adds to the answer (`Retry-After`, `RateLimit-*`).
    var extraHeaders: [(String, String)] = []
    /// The limit that refused the request, for `piapi_limit_rejections_total`.
    var limit: LimitKind?
}

/// A request routed to an upstream: whose it is, the candidates it may try in order, and
/// what its user's limits said at admission.
struct ProxyPlan {
    let user: UserRoutes
    let serviceType: String
    /// The path after `/piapi/<service>`, forwarded as sent.
    let rest: Range<Int>
    let plan: AttemptPlan
    /// The tightest limit's state, sent as `RateLimit-*`; nil for a user without limits.
    let admission: RateLimitStatus?

    /// The user whose limit counters hold the request until it ends; nil without limits.
    var limitedUser: KeyDigest? { user.limits == .unlimited ? nil : user.keyDigest }
}
