import NIOCore

/// How far one proxied request has got, as a value, in the manner of async-http-client's
/// `HTTPRequestStateMachine` (`.running(RequestState, ResponseState)`): the request body's
/// way upstream (and the copy kept for a replay) × the response of the try in progress, over
/// the plan of tries. Every event returns what the channel handler must do; the failover
/// rules themselves are the pure values in `Failover/`. No channel, no clock: tested in
/// `ExchangeStateMachineTests`.
struct ExchangeStateMachine {
    enum RequestBody {
        /// Body bytes are still due, framed so.
        case streaming(BodyFraming)
        /// The whole body went upstream.
        case done
    }

    /// The response of the try in progress (`plan.current`).
    enum Response {
        /// No final head yet (the first try, a next one, or a resend on a fresh connection).
        case awaitingHead
        /// A failure response of this try, read whole instead of forwarded: a later candidate
        /// may still answer, and if none does the client gets the last one captured.
        case capturing(CapturedResponse)
        /// A 1xx went to the client: the exchange is committed to this try.
        case informationalSent
        /// The final head went to the client; its body follows.
        case streaming(status: Int)
        /// The upstream accepted a WebSocket upgrade (`101`): the HTTP exchange ends here and
        /// the connection pair becomes a tunnel (`WebSocketHandover`).
        case switchingProtocols
    }

    private(set) var requestBody: RequestBody
    private(set) var response = Response.awaitingHead
    private(set) var plan: AttemptPlan
    /// The body kept for a replay, until the response head: to the next candidate, or once
    /// more on a fresh connection when a reused one turns out closed (single-candidate routes
    /// too: every LLM call is a small POST, and an upstream's keep-alive timeout makes that
    /// race routine). Nil when the body is too big, and once a response was forwarded.
    private var replay: ReplayBuffer?
    /// The last failure response read whole, returned if no later try gets a response.
    private(set) var lastCaptured: CapturedResponse?
    /// This try was already resent once after a reused connection failed.
    private var resent = false
    /// The client connection closes after this exchange.
    private(set) var closeClientAfter: Bool
    private(set) var bytesIn = 0
    private(set) var bytesOut = 0
    /// When the try in progress went upstream: the time to its first byte is measured from it.
    private(set) var upstreamSentAt: NIODeadline?
    /// Seconds from the request head to the response head going to the client.
    private(set) var ttfbSeconds: Double?
    private let retryBodyLimit: Int
    /// When the request head was read.
    private let started: NIODeadline

    /// `keepAlive`: the client wants the connection kept after this request (and the
    /// gateway is not draining).
    init(plan: AttemptPlan, framing: BodyFraming, keepAlive: Bool, retryBodyLimit: Int, started: NIODeadline) {
        self.plan = plan
        self.started = started
        self.retryBodyLimit = retryBodyLimit
        requestBody = framing.isComplete ? .done : .streaming(framing)
        closeClientAfter = !keepAlive
        replay = ReplayBuffer.forBody(framing, limit: retryBodyLimit)
    }

    var requestBodyDone: Bool {
        if case .done = requestBody { return true }
        return false
    }

    /// A final head (or a `101`) went to the client: nothing else can be answered now.
    var responseStarted: Bool {
        switch response {
        case .streaming, .switchingProtocols: return true
        case .awaitingHead, .capturing, .informationalSent: return false
        }
    }

    /// The status sent to the client; 0 before a final head.
    var responseStatus: Int {
        switch response {
        case .streaming(let status): return status
        case .switchingProtocols: return 101
        case .awaitingHead, .capturing, .informationalSent: return 0
        }
    }

    /// The status a request's record shows when its client went away: what the client was
    /// sent, or 499 (nginx's "client closed request") when nothing was.
    var statusWhenClientLeft: Int {
        responseStarted ? responseStatus : 499
    }

    /// The gateway answers the exchange with an error of its own; true when the client
    /// connection closes after it: the exchange said so, or body bytes are still due (they
    /// would be read as the next request).
    mutating func answeredByGateway() -> Bool {
        if !requestBodyDone { closeClientAfter = true }
        return closeClientAfter
    }

    var isCapturing: Bool {
        if case .capturing = response { return true }
        return false
    }

    /// Whether the request may still go to another candidate.
    var mayTryAnother: Bool {
        var sentInformational = false
        if case .informationalSent = response { sentInformational = true }
        return FailoverDecision.mayTryAnother(
            responseStarted: responseStarted, sentInformational: sentInformational,
            bodyReplayable: bodyResendable, planHasNext: plan.hasNext)
    }

    /// The body can go up again whole: nothing of it was taken from the client yet (a try
    /// that failed to connect sent nothing, whatever the body's size), or all of it is held.
    private var bodyResendable: Bool {
        bytesIn == 0 || replay != nil
    }

    // MARK: - Tries

    /// The timer a try restarts: each gets the whole timeout, not what the failed one left.
    enum TryTimer: Equatable {
        /// The first try runs under the idle timeout the exchange started with.
        case unchanged
        case idle
        case responseHead
    }

    /// Moves to the next candidate: its target (an index into the table's targets); nil when
    /// the plan has none left.
    mutating func startNextAttempt() -> (target: Int, timer: TryTimer)? {
        guard plan.hasNext else { return nil }
        plan.advance()
        response = .awaitingHead
        guard let target = plan.currentTarget else { return nil }
        let timer: TryTimer = plan.current == 0 ? .unchanged : (requestBodyDone ? .responseHead : .idle)
        return (target, timer)
    }

    /// How a try ended, for the log's `attempts`.
    mutating func recordAttempt(_ attempt: UpstreamAttempt) {
        plan.append(attempt)
    }

    /// The body bytes already sent of a try that failed over: they go first on the next one.
    var replayBytes: ByteBuffer? {
        guard let bytes = replay?.bytes, bytes.readableBytes > 0 else { return nil }
        return bytes
    }

    enum AfterSend: Equatable {
        case awaitResponseHead
        case relayRequestBody
    }

    /// The head (and any replay) went up on a connection at `now`.
    mutating func sent(now: NIODeadline) -> AfterSend {
        upstreamSentAt = now
        return requestBodyDone ? .awaitResponseHead : .relayRequestBody
    }

    // MARK: - Request body

    enum BodyPart {
        /// Send these bytes on; more are due.
        case more(ByteBuffer)
        /// The body ends with these bytes (nil: with what was sent already).
        case last(ByteBuffer?)
        /// Nothing (more) to send from what was read.
        case waiting
        /// The chunked framing is broken: answer 400 and close.
        case invalid
    }

    /// The next piece of the request body from what the client sent (`inbound`); the bytes
    /// are kept for a replay as they go.
    mutating func nextBodyPart(from inbound: inout ByteBuffer) -> BodyPart {
        guard case .streaming(var framing) = requestBody, inbound.readableBytes > 0 else { return .waiting }
        let (step, payload) = framing.advance(removingDroppedBytesFrom: &inbound)
        switch step {
        case .more(let n):
            requestBody = .streaming(framing)
            guard n > 0, let slice = inbound.readSlice(length: n) else { return .waiting }
            took(slice, payload: payload)
            return .more(slice)
        case .done(let n):
            requestBody = .done
            guard n > 0, let slice = inbound.readSlice(length: n) else { return .last(nil) }
            took(slice, payload: payload)
            return .last(slice)
        case .invalid:
            closeClientAfter = true
            return .invalid
        }
    }

    private mutating func took(_ slice: ByteBuffer, payload: Int) {
        bytesIn += slice.readableBytes
        guard var held = replay else { return }
        replay = nil  // `held` is now the only reference: appending does not copy
        if held.hold(slice, payload: payload, limit: retryBodyLimit) { replay = held }
    }

    // MARK: - Response

    /// A 1xx head from the upstream; false when it is dropped (an HTTP/1.0 client cannot take
    /// one, RFC 9110 §15.2, and as nothing reached the client the exchange may still fail over).
    mutating func informational(toHTTP10Client: Bool) -> Bool {
        guard !toHTTP10Client else { return false }
        if case .awaitingHead = response { response = .informationalSent }
        return true
    }

    enum HeadAction {
        /// Read this failure whole instead of forwarding it; the upstream-head timeout stays.
        case capture
        /// Conclude the try with `outcome` and write the head on (closing the client after
        /// the response when `closeClientAfter` says so).
        case forward(AttemptOutcome)
    }

    /// The final head of the try in progress. `closes`: the response ends the client
    /// connection (its framing or the upstream says so, for this client's HTTP version).
    mutating func responseHead(
        _ head: ResponseHead, retryAfter: Double?, closes: Bool, draining: Bool,
        now: NIODeadline
    ) -> HeadAction {
        let outcome = AttemptOutcome(status: head.status)
        if ResponseHeadDisposition.of(outcome, requestBodyDone: requestBodyDone, mayTryAnother: mayTryAnother)
            == .capture
        {
            response = .capturing(CapturedResponse(head: head, retryAfter: retryAfter))
            return .capture
        }
        response = .streaming(status: head.status)
        replay = nil  // nothing is sent again once a response is on its way
        ttfbSeconds = Double((now - started).nanoseconds) / 1e9
        if closes || !requestBodyDone || draining { closeClientAfter = true }
        return .forward(outcome)
    }

    /// The upstream answered a WebSocket upgrade with `101` at `now`.
    mutating func switchedProtocols(now: NIODeadline) {
        response = .switchingProtocols
        ttfbSeconds = Double((now - started).nanoseconds) / 1e9
    }

    enum BodyAction {
        /// Write the bytes to the client.
        case forward
        /// Kept with the captured failure.
        case captured
        /// The captured failure grew too long to hold: the try failed (as this outcome).
        case captureOverflowed(CapturedResponse)
    }

    mutating func responseBody(_ bytes: ByteBuffer) -> BodyAction {
        guard case .capturing(var captured) = response else {
            bytesOut += bytes.readableBytes
            return .forward
        }
        response = .awaitingHead  // `captured` is now the only reference: appending does not copy
        captured.body.writeImmutableBuffer(bytes)
        guard captured.body.readableBytes <= CapturedResponse.maxBodyBytes else { return .captureOverflowed(captured) }
        response = .capturing(captured)
        return .captured
    }

    enum EndAction {
        /// The response went through whole: log it, then the next request.
        case finished
        /// The captured failure is complete: the try failed and this is the answer kept.
        case captureEnded(CapturedResponse)
    }

    /// The upstream's response ended; `returnConnection`: the connection may go back to the
    /// pool (reusable, and the request body went up whole).
    mutating func responseEnded(reusable: Bool) -> (returnConnection: Bool, then: EndAction) {
        let returnConnection = reusable && requestBodyDone
        guard case .capturing(let captured) = response else { return (returnConnection, .finished) }
        response = .awaitingHead
        lastCaptured = captured
        return (returnConnection, .captureEnded(captured))
    }

    enum FailureAction: Equatable {
        /// Send the same try again on a fresh connection (`StaleConnectionResend`).
        case resend
        /// The try failed before anything of it reached the client: count it as `outcome`
        /// and apply the failover rules (`failure` is the answer if nothing better is left).
        case attemptFailed(AttemptOutcome, retryAfter: Double?)
        /// The response was under way: cut the client connection.
        case cut
    }

    /// The upstream connection failed; `connectionWasReused`: it had carried a response before.
    mutating func upstreamFailed(_ failure: UpstreamFailure, connectionWasReused: Bool) -> FailureAction {
        if StaleConnectionResend.applies(
            connectionWasReused: connectionWasReused, responseStarted: responseStarted,
            capturing: isCapturing, requestBodyDone: requestBodyDone,
            bodyResendable: bodyResendable, alreadyResent: resent)
        {
            resent = true
            return .resend
        }
        if case .capturing(let captured) = response {
            // The failure answer broke off: it cannot be returned, but the try still failed.
            response = .awaitingHead
            return .attemptFailed(captured.outcome, retryAfter: captured.retryAfter)
        }
        return responseStarted ? .cut : .attemptFailed(failure.attemptOutcome, retryAfter: nil)
    }

    /// No response head within the upstream timeout: a failure being captured is dropped.
    mutating func responseHeadTimedOut() {
        if isCapturing { response = .awaitingHead }
    }

    /// Silence beyond the idle timeout: the exchange ends and so does the client connection.
    mutating func idleTimedOut() {
        closeClientAfter = true
    }

    /// After a failed try was recorded: what the failover rules say.
    mutating func afterFailedAttempt(_ outcome: AttemptOutcome) -> FailoverDecision {
        let decision = FailoverDecision.after(
            outcome, mayTryAnother: mayTryAnother, hasCapturedAnswer: lastCaptured != nil)
        if case .fail(closeClient: true) = decision { closeClientAfter = true }
        return decision
    }

    /// The captured failure becomes the answer. `closes`: it ends the client connection.
    mutating func answerCaptured(closes: Bool, draining: Bool) -> CapturedResponse? {
        guard let captured = lastCaptured else { return nil }
        response = .streaming(status: captured.head.status)
        if closes || draining { closeClientAfter = true }
        bytesOut += captured.body.readableBytes
        return captured
    }
}
