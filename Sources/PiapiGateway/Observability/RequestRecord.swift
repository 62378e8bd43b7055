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

    public init(requestID: String, method: String, path: String, status: Int = 0, latencySeconds: Double = 0,
                bytesIn: Int = 0, bytesOut: Int = 0) {
        self.requestID = requestID
        self.method = method
        self.path = path
        self.status = status
        self.latencySeconds = latencySeconds
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
    }
}
