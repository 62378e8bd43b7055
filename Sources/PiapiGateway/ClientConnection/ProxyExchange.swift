import NIOCore
import RouteTable

/// One proxied request in flight, as its client connection holds it: what was asked and how
/// it was routed (fixed), how far it got (`state`, a value), and what cannot live in a value:
/// the upstream connection borrowed for the try in progress and the usage tap reading the
/// response. A class, so a connection arriving late can tell whether its exchange is still
/// the one in flight.
final class ProxyExchange {
    let head: RequestHead
    /// The path after `/piapi/<service>`, forwarded as sent.
    let rest: Range<Int>
    let requestID: String
    let started: NIODeadline
    let user: String
    let serviceType: String
    /// The table's targets ready for the wire, kept for the next candidate's try; its table
    /// is the one the request was routed with.
    let prepared: PreparedTable
    /// The tightest limit's state at admission, sent as `RateLimit-*`.
    let rateLimit: RateLimitStatus?
    /// The user whose limit counters hold this request until it ends; nil for a user without
    /// limits, and once released.
    var limitedUser: KeyDigest?
    var state: ExchangeStateMachine
    var upstream: UpstreamChannelHandler?
    /// Reads the forwarded response body's token usage on the side.
    var usageTap: UsageTap?
    /// The request asks for a WebSocket: a `101` turns the connection into a tunnel, and any
    /// other answer is the last on this connection (the client falls back on a new one).
    let isWebSocket: Bool

    /// The target of the try in progress (or the last one); nil before the first.
    var target: PreparedTarget? { state.plan.currentTarget.map { prepared.targets[$0] } }

    /// The injected credential of the try in progress: what its response must not hand back.
    var credential: InjectedCredential? { target.map(InjectedCredential.init) }

    /// `head`, from the try in progress, marked so that writing it leaves that try's
    /// credential out. Kept with the head: a captured failure is written after later tries,
    /// which went to other targets.
    func withCredentialHidden(_ head: ResponseHead) -> ResponseHead {
        var head = head
        head.hiddenCredential = credential
        return head
    }

    /// Silence is the client's doing: its body is unfinished, nothing was answered yet, and
    /// the upstream could have taken more (a stalled upstream would leave it unwritable).
    var clientStalled: Bool {
        !state.requestBodyDone && !state.responseStarted && (upstream?.isWritable ?? true)
    }

    init(
        head: RequestHead, requestID: String, started: NIODeadline, route: ProxyPlan, prepared: PreparedTable,
        keepAlive: Bool, retryBodyLimit: Int
    ) {
        self.head = head
        self.requestID = requestID
        self.started = started
        self.prepared = prepared
        rest = route.rest
        user = route.user.name
        serviceType = route.serviceType
        rateLimit = route.admission
        limitedUser = route.limitedUser
        isWebSocket = WebSocketUpgrade.isRequested(head)
        state = ExchangeStateMachine(
            plan: route.plan, framing: head.framing, keepAlive: keepAlive && !isWebSocket,
            retryBodyLimit: retryBodyLimit, started: started)
    }
}
