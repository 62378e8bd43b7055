/// Everything known about one finished request, handed by the proxy to `Telemetry`, which
/// turns it into the log line and metrics. Holds names only, never a credential.
public struct RequestRecord: Sendable {
    public var requestID: String
    public var method: String
    /// The request path without its query string.
    public var path: String
    public var user: String?
    public var serviceType: String?
    public var upstreamProvider: String?
    /// The provider key's NAME.
    public var upstreamKey: String?
    public var status: Int
    public var latencySeconds: Double
    public var bytesIn: Int
    public var bytesOut: Int
    /// Every try at a candidate, in order (empty for answers the gateway gave itself).
    public var attempts: [UpstreamAttempt] = []
    /// A short reason when the request failed (never a secret).
    public var error: String?
    /// The hash of the table the request was routed with; when nil the log line shows the
    /// table current when the request finished.
    public var tableHash: String?
    /// The response's token usage as the tap read it; nil when no upstream response body
    /// was forwarded (gateway answers, failures before a response).
    public var usage: UsageReport?
    /// Seconds from the request head to the response head being passed on.
    public var ttfbSeconds: Double?
    /// What the usage cost at the table's price for the response's model; nil without a price.
    public var costUSD: Double?

    /// The four input/output kinds that count towards token budgets (reasoning is part of output).
    public var budgetTokens: Int {
        guard let usage else { return 0 }
        return [usage.input, usage.cacheRead, usage.cacheWrite, usage.output].reduce(0) { $0 + ($1 ?? 0) }
    }

    public init(
        requestID: String, method: String, path: String, status: Int = 0, latencySeconds: Double = 0,
        bytesIn: Int = 0, bytesOut: Int = 0
    ) {
        self.requestID = requestID
        self.method = method
        self.path = path
        self.status = status
        self.latencySeconds = latencySeconds
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }
}
