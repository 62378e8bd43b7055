import NIOCore
import RouteTable

/// One proxied request in flight: what it was routed to, how far its body has gone
/// upstream, and the figures its `RequestRecord` is filled from.
final class ProxyExchange {
    let head: RequestHead
    let rest: Range<Int>
    let requestID: String
    let started: NIODeadline
    let user: String
    let serviceType: String
    /// The table's targets ready for the wire, kept for the next candidate's try.
    let prepared: PreparedTable
    var plan: AttemptPlan
    /// The target of the try in progress (or the last one); nil before the first.
    var target: PreparedTarget? { plan.currentTarget.map { prepared.targets[$0] } }
    var requestFraming: BodyFraming
    var upstream: UpstreamConnection?
    var requestBodyDone: Bool
    var responseStatus = 0
    var responseStarted = false
    var closeClientAfter: Bool
    var bytesIn = 0
    var bytesOut = 0
    var upstreamSentAt: NIODeadline?
    /// Already resent once after a reused connection failed.
    var retried = false
    /// The request body bytes sent so far, kept while a later candidate may need them again;
    /// nil when the body is too large (or the route has one candidate): no replay.
    var replay: ByteBuffer?
    /// The body's content in `replay`, chunk framing aside: what `--retry-body-limit` counts.
    private var replayPayload = 0
    /// The failure response of the try in progress, being read whole (not forwarded).
    var capture: CapturedResponse?
    /// The last failure response read whole, returned if no later try gets a response.
    var lastResponse: CapturedResponse?
    /// A 1xx went to the client: the exchange is committed to the current upstream.
    var sentInformational = false
    /// The user whose limit counters hold this request until it ends; nil for a user without limits.
    var limitedUser: KeyDigest?
    /// The tightest limit's state at admission, sent as `RateLimit-*` headers.
    var rateLimit: RateLimitStatus?
    /// Reads the forwarded response body's token usage on the side.
    var usageTap: UsageTap?
    /// Seconds from the request head to the response head going to the client.
    var ttfbSeconds: Double?
    /// The request asks for a WebSocket: a `101` turns the connection into a tunnel, and any
    /// other answer is the last on this connection (the client falls back on a new one).
    let isWebSocket: Bool

    init(head: RequestHead, rest: Range<Int>, requestID: String, started: NIODeadline, user: String, serviceType: String,
         prepared: PreparedTable, plan: AttemptPlan) {
        self.head = head
        self.prepared = prepared
        self.plan = plan
        self.rest = rest
        self.requestID = requestID
        self.started = started
        self.user = user
        self.serviceType = serviceType
        requestFraming = head.framing
        requestBodyDone = head.framing.isComplete
        isWebSocket = WebSocketUpgrade.isRequested(head)
        closeClientAfter = !head.keepAlive || isWebSocket
    }

    /// The record handed to Telemetry: names only, never a credential. `complete`: the
    /// response body reached its end (else the usage seen so far is marked partial).
    func record(status: Int, error: String?, complete: Bool = true) -> RequestRecord {
        var record = RequestRecord(requestID: requestID, method: head.string(head.method), path: head.string(head.path),
                                   status: status, latencySeconds: Self.seconds(since: started),
                                   bytesIn: bytesIn, bytesOut: bytesOut)
        record.user = user
        record.serviceType = serviceType
        record.upstreamProvider = target?.provider
        record.upstreamKey = target?.keyName
        record.error = error
        record.attempts = plan.attempts
        record.tableHash = prepared.serving.hash
        record.ttfbSeconds = ttfbSeconds
        if let usage = usageTap?.finish(complete: complete) {
            record.usage = usage
            if let model = usage.model, let price = prepared.serving.table.price(for: model), usage.unknownReason == nil {
                record.costUSD = price.cost(input: usage.input ?? 0, output: usage.output ?? 0,
                                            cacheRead: usage.cacheRead ?? 0, cacheWrite: usage.cacheWrite ?? 0)
            }
        }
        return record
    }

    /// The chunk framing a replay may hold beside a small limit's content; beyond that, as much
    /// as the limit. Tiny chunks or long chunk extensions cannot make it many times the limit.
    static let minFramingAllowance = 64 * 1024

    /// Keeps `bytes` (`payload` of them content, the rest chunk framing) for a replay unless
    /// the content outgrows `limit` or the framing its allowance.
    func hold(_ bytes: ByteBuffer, payload: Int, limit: Int) {
        guard var held = replay else { return }
        replay = nil  // `held` is now the only reference: appending does not copy
        replayPayload += payload
        let framing = held.readableBytes + bytes.readableBytes - replayPayload
        guard replayPayload <= limit, framing <= max(limit, Self.minFramingAllowance) else { return }
        held.writeImmutableBuffer(bytes)
        replay = held
    }

    static func seconds(since start: NIODeadline) -> Double {
        Double((NIODeadline.now() - start).nanoseconds) / 1e9
    }
}
