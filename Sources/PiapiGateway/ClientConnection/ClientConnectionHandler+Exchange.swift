import NIOCore

/// Runs the exchange in flight: its tries, the request body's way up, the upstream's response
/// as it arrives (`UpstreamResponseSink`) and the failover rules' verdicts, as
/// `ExchangeStateMachine` and the values in `Failover/` decide them.
extension ClientConnectionHandler: UpstreamResponseSink {
    // MARK: - Tries

    func startNextAttempt(_ exchange: ProxyExchange) {
        guard let next = exchange.state.startNextAttempt() else { return }
        switch next.timer {
        case .unchanged: break
        case .idle: enterStreaming()
        case .responseHead: waitForResponseHead()
        }
        open(exchange, to: exchange.prepared.targets[next.target], fresh: false)
    }

    func open(_ exchange: ProxyExchange, to target: PreparedTarget, fresh: Bool) {
        let attempt = exchange.state.plan.current
        resources.pool.acquire(target.origin, fresh: fresh) { [self] result in
            // A connection that arrives after its try was given up (timed out) is not used.
            guard self.exchange === exchange, exchange.state.plan.current == attempt, exchange.upstream == nil,
                !machine.isClosing
            else {
                if case .success(let connection) = result { resources.pool.release(connection) }
                return
            }
            switch result {
            case .failure: attemptFailed(exchange, UpstreamFailure.unreachable.attemptOutcome, .unreachable)
            case .success(let connection): send(exchange, over: connection, target: target)
            }
        }
    }

    func send(_ exchange: ProxyExchange, over connection: UpstreamChannelHandler, target: PreparedTarget) {
        exchange.upstream = connection
        connection.begin(sink: self, requestWasHead: exchange.head.isHeadMethod, webSocket: exchange.isWebSocket)
        var out = context.channel.allocator.buffer(capacity: exchange.head.bytes.readableBytes + 256)
        UpstreamRequestHead.write(
            exchange.head, rest: exchange.rest, target: target, requestID: exchange.requestID,
            clientAddress: clientAddress, webSocket: exchange.isWebSocket, into: &out)
        connection.write(out)
        if let replay = exchange.state.replayBytes { connection.write(replay) }
        switch exchange.state.sent(now: .now()) {
        case .awaitResponseHead: waitForResponseHead()
        case .relayRequestBody: pumpRequestBody(exchange)
        }
        connection.flush()
        upstreamNeedsFlush = false
        readIfWanted()
    }

    /// Passes what the client sent of the body to the upstream, as far as it goes.
    func pumpRequestBody(_ exchange: ProxyExchange) {
        guard let upstream = exchange.upstream else { return }
        while true {
            switch exchange.state.nextBodyPart(from: &machine.inbound) {
            case .more(let slice):
                upstream.write(slice)
                upstreamNeedsFlush = true
            case .last(let slice):
                if let slice { upstream.write(slice) }
                upstreamNeedsFlush = true
                if !exchange.state.responseStarted { waitForResponseHead() }
                return
            case .waiting:
                return
            case .invalid:
                failExchange(exchange, .badChunked)
                return
            }
        }
    }

    func waitForResponseHead() {
        machine.awaitResponseHead(now: .now())
        syncTimer()
    }

    // MARK: - UpstreamResponseSink

    func upstreamInformational(_ head: ResponseHead) {
        guard let exchange, exchange.state.informational(toHTTP10Client: exchange.head.isHTTP10) else { return }
        write(exchange.withCredentialHidden(head), of: exchange, closeClient: false, toHTTP10: false)
    }

    /// Writes a head of the exchange's try to the client (`head` has its credential hidden).
    private func write(
        _ head: ResponseHead, of exchange: ProxyExchange, closeClient: Bool, toHTTP10: Bool,
        rateLimit: RateLimitStatus? = nil, webSocket: Bool = false
    ) {
        var out = context.channel.allocator.buffer(capacity: head.bytes.readableBytes + 96)
        head.write(
            to: &out, requestID: exchange.requestID, closeClient: closeClient, toHTTP10: toHTTP10,
            rateLimit: rateLimit, webSocket: webSocket)
        context.write(wrapOutboundOut(out), promise: nil)
    }

    func upstreamResponseHead(_ head: ResponseHead) {
        guard let exchange else { return }
        let head = exchange.withCredentialHidden(head)
        let toHTTP10 = exchange.head.isHTTP10
        if head.isDechunked(toHTTP10: toHTTP10) { exchange.upstream?.dechunkBody() }
        let now = NIODeadline.now()
        if let sent = exchange.state.upstreamSentAt {
            shared.telemetry.upstreamFirstByte(
                serviceType: exchange.serviceType,
                seconds: Double((now - sent).nanoseconds) / 1e9)
        }
        let retryAfter = RetryAfter.of(head, now: shared.candidates.clock.wallSeconds())
        switch exchange.state.responseHead(
            head, retryAfter: retryAfter, closes: head.endsWithClose(toHTTP10: toHTTP10),
            draining: machine.draining, now: now)
        {
        case .capture:
            break
        case .forward(let outcome):
            concludeAttempt(exchange, outcome, retryAfter: retryAfter)
            exchange.usageTap = UsageTap(head: head, framingRemoved: toHTTP10)
            write(
                head, of: exchange, closeClient: exchange.state.closeClientAfter, toHTTP10: toHTTP10,
                rateLimit: exchange.rateLimit)
            enterStreaming()
        }
    }

    /// The upstream accepted a WebSocket upgrade: the `101` goes to the client (without the
    /// credential), the handshake is logged as a request, and the connection becomes a tunnel
    /// (`WebSocketHandover`) that keeps the user's concurrency slot until it closes.
    func upstreamUpgraded(_ head: ResponseHead, connection: UpstreamChannelHandler, early: ByteBuffer?) {
        guard let exchange, exchange.upstream === connection else { return connection.abandon() }
        self.exchange = nil
        machine.handOverToTunnel()
        syncTimer()
        exchange.state.switchedProtocols(now: .now())
        concludeAttempt(exchange, .ok)
        let head = exchange.withCredentialHidden(head)
        write(head, of: exchange, closeClient: false, toHTTP10: false, webSocket: true)
        let session = WebSocketSession(exchange, head: head, shared: shared)
        if machine.draining { session.drainRequested() }
        exchange.limitedUser = nil
        finish(exchange, status: exchange.state.responseStatus, error: nil)
        WebSocketHandover.start(
            session: session, client: context, clientHandler: self, clientEarly: machine.inbound,
            upstream: connection, upstreamEarly: early)
    }

    func upstreamResponseBody(_ bytes: ByteBuffer) {
        guard let exchange else { return }
        switch exchange.state.responseBody(bytes) {
        case .forward:
            machine.activity(now: .now())
            exchange.usageTap?.observe(bytes)
            context.write(wrapOutboundOut(bytes), promise: nil)
        case .captured:
            break
        case .captureOverflowed(let captured):
            attemptFailed(exchange, captured.outcome, .invalidResponse, retryAfter: captured.retryAfter)
        }
    }

    func upstreamReadBurstEnded() {
        context.flush()
    }

    func upstreamResponseEnded(_ connection: UpstreamChannelHandler, reusable: Bool) {
        guard let exchange else {
            connection.abandon()
            return
        }
        let (returnConnection, then) = exchange.state.responseEnded(reusable: reusable)
        if returnConnection {
            resources.pool.release(connection)
        } else {
            connection.abandon()
        }
        switch then {
        case .captureEnded(let captured):
            exchange.upstream = nil
            attemptFailed(exchange, captured.outcome, .closed, retryAfter: captured.retryAfter)
        case .finished:
            self.exchange = nil
            finish(exchange, status: exchange.state.responseStatus, error: nil)
            requestEnded(closeClient: exchange.state.closeClientAfter)
        }
    }

    func upstreamFailed(_ failure: UpstreamFailure) {
        guard let exchange else { return }
        let reused = (exchange.upstream?.completedResponses ?? 0) > 0
        switch exchange.state.upstreamFailed(failure, connectionWasReused: reused) {
        case .resend:
            exchange.upstream = nil
            if let target = exchange.target { open(exchange, to: target, fresh: true) }
        case .attemptFailed(let outcome, let retryAfter):
            attemptFailed(exchange, outcome, failure, retryAfter: retryAfter)
        case .cut:
            failExchange(exchange, failure.gatewayError)
        }
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        if isWritable, let exchange, !exchange.state.requestBodyDone { context.read() }
    }

    var acceptsUpstreamBytes: Bool { exchange?.state.isCapturing ?? false || context.channel.isWritable }

    // MARK: - Failover

    /// Notes how the current try ended: in the plan (for the log and metrics) and, on a route
    /// with several candidates, in the shared candidate health.
    func concludeAttempt(_ exchange: ProxyExchange, _ outcome: AttemptOutcome, retryAfter: Double? = nil) {
        guard let target = exchange.target else { return }
        exchange.state.recordAttempt(UpstreamAttempt(provider: target.provider, key: target.keyName, outcome: outcome))
        if let route = exchange.state.plan.route {
            shared.candidates.record(
                outcome, retryAfter: retryAfter, pair: target.pair, route: route,
                position: exchange.state.plan.currentPosition)
        }
    }

    /// A try failed before anything reached the client: `outcome` is how it counts, `failure`
    /// what the client is told if no later try and no captured answer is left.
    func attemptFailed(
        _ exchange: ProxyExchange, _ outcome: AttemptOutcome, _ failure: UpstreamFailure,
        retryAfter: Double? = nil
    ) {
        exchange.upstream?.abandon()
        exchange.upstream = nil
        concludeAttempt(exchange, outcome, retryAfter: retryAfter)
        switch exchange.state.afterFailedAttempt(outcome) {
        case .tryNext:
            startNextAttempt(exchange)
        case .answerCaptured:
            answerCaptured(exchange)
        case .fail:
            failExchange(exchange, failure.gatewayError)
        }
    }

    /// Sends a failure response that was read whole, as the upstream sent it (de-chunked
    /// already for an HTTP/1.0 client), without the credential of the target that sent it.
    func answerCaptured(_ exchange: ProxyExchange) {
        let toHTTP10 = exchange.head.isHTTP10
        guard let lastCaptured = exchange.state.lastCaptured,
            let captured = exchange.state.answerCaptured(
                closes: lastCaptured.head.endsWithClose(toHTTP10: toHTTP10),
                draining: machine.draining)
        else { return }
        self.exchange = nil
        let close = exchange.state.closeClientAfter
        var out = context.channel.allocator.buffer(
            capacity: captured.head.bytes.readableBytes + 96 + captured.body.readableBytes)
        captured.head.write(to: &out, requestID: exchange.requestID, closeClient: close, toHTTP10: toHTTP10)
        out.writeImmutableBuffer(captured.body)
        context.write(wrapOutboundOut(out), promise: nil)
        finish(exchange, status: captured.head.status, error: nil)
        if !close { context.flush() }
        requestEnded(closeClient: close)
    }

    // MARK: - Endings

    /// Ends an exchange the gateway has to answer for: an error response if nothing was
    /// sent yet, otherwise a cut connection (the client sees a truncated response).
    func failExchange(_ exchange: ProxyExchange, _ error: GatewayError) {
        self.exchange = nil
        exchange.upstream?.abandon()
        if exchange.state.responseStarted {
            finish(exchange, status: exchange.state.responseStatus, error: error.reason, complete: false)
            context.flush()
            closeConnection()
            return
        }
        let record = RequestRecordBuilder.proxied(exchange, status: error.status, error: error.reason, complete: true)
        releaseLimits(exchange, record)
        let close = exchange.state.answeredByGateway()
        let response = error.response(
            requestID: exchange.requestID, close: close, headOnly: exchange.head.isHeadMethod,
            allocator: context.channel.allocator)
        sendLocal(response, record: record, close: close)
    }

    func finish(_ exchange: ProxyExchange, status: Int, error: String?, complete: Bool = true) {
        let record = RequestRecordBuilder.proxied(exchange, status: status, error: error, complete: complete)
        releaseLimits(exchange, record)
        shared.telemetry.requestFinished(record)
    }

    /// Ends the request's hold on its user's limits: the concurrency slot, and the tokens
    /// and cost it used towards the budgets.
    func releaseLimits(_ exchange: ProxyExchange, _ record: RequestRecord) {
        guard let user = exchange.limitedUser else { return }
        exchange.limitedUser = nil
        shared.limits.finish(user, tokens: record.budgetTokens, usd: record.costUSD ?? 0)
    }
}
