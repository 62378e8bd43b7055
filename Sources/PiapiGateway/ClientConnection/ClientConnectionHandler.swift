import NIOCore
import RouteTable

/// Serves one client connection: parses each request head strictly, answers locally or
/// forwards to an upstream connection from this loop's pool, and passes body bytes through
/// untouched in both directions with backpressure. Requests are handled strictly one at a
/// time, in order; pipelined bytes wait in the buffer.
final class ClientConnectionHandler: ChannelInboundHandler, UpstreamResponseSink {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let shared: GatewayContext
    private let resources: LoopResources
    private var context: ChannelHandlerContext!
    private var inbound = ByteBuffer()
    private var scanner = HeadScanner()
    private var exchange: ProxyExchange?
    private var deadline = ConnectionDeadline()
    private var clientAddress = "unknown"
    private var draining = false
    private var closing = false
    private var upstreamNeedsFlush = false
    /// Set while `processHeads` runs: a local answer then only re-arms the connection for the
    /// next head and the loop takes it, so pipelined requests never nest on the stack.
    private var processingHeads = false

    /// Read bytes the inbound buffer may keep before it is compacted: a client that pipelines
    /// without pause never lets it run empty.
    private static let compactThreshold = 64 * 1024

    init(shared: GatewayContext, resources: LoopResources) {
        self.shared = shared
        self.resources = resources
    }

    private var configuration: GatewayConfiguration { shared.configuration }

    // MARK: - Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if let ip = context.channel.remoteAddress?.ipAddress { clientAddress = ip }
    }

    /// Breaks the handler ↔ context cycle, which would leak every closed connection.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(.head, until: .now() + configuration.headerTimeout)
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !closing else { return }
        if inbound.readableBytes == 0 {
            inbound = bytes
        } else {
            if inbound.readerIndex > Self.compactThreshold { inbound.discardReadBytes() }
            inbound.writeBuffer(&bytes)
        }
        if let exchange {
            deadline.touch()
            if exchange.upstream != nil && !exchange.requestBodyDone { pumpRequestBody(exchange) }
        } else {
            if deadline.phase == .keepAlive { arm(.head, until: .now() + configuration.headerTimeout) }
            processHeads()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if upstreamNeedsFlush {
            upstreamNeedsFlush = false
            exchange?.upstream?.flush()
        }
        readIfWanted()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        guard context.channel.isWritable, !closing else { return }
        if let exchange {
            if exchange.responseStarted, let upstream = exchange.upstream { upstream.read() }
        } else {
            // The client took its answers: go on with the heads it pipelined meanwhile.
            nextRequest()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is DrainRequest else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        draining = true
        if exchange == nil && inbound.readableBytes == 0 { closeConnection() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        deadline.cancel()
        if let exchange {
            self.exchange = nil
            exchange.upstream?.abandon()
            let status = exchange.responseStarted ? exchange.responseStatus : 499
            finish(exchange, status: status, error: "client disconnected", complete: false)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closeConnection()
    }

    private func readIfWanted() {
        guard !closing else { return }
        if let exchange {
            if !exchange.requestBodyDone {
                guard let upstream = exchange.upstream, upstream.isWritable else { return }
            } else if inbound.readableBytes >= configuration.maxHeadSize {
                return
            }
        } else if !context.channel.isWritable {
            // Local answers wait for the client to read; so do its next requests.
            return
        }
        context.read()
    }

    // MARK: - Request heads

    /// Answers buffered heads one after another in a loop (never by recursion) until one is
    /// forwarded, the buffer holds no complete head, or the client stops taking answers.
    private func processHeads() {
        guard !processingHeads else { return }
        processingHeads = true
        defer { processingHeads = false }
        while exchange == nil, !closing, inbound.readableBytes > 0 {
            guard context.channel.isWritable else {
                // A client that does not read gets no more answers written (they would pile
                // up in memory) until it does; the idle timeout bounds how long it may stall.
                enterStreaming()
                return
            }
            skipLeadingEmptyLines()
            guard let length = scanner.headLength(in: inbound) else {
                if inbound.readableBytes > configuration.maxHeadSize { rejectHead(.headTooLarge) }
                return
            }
            guard length <= configuration.maxHeadSize, let headBytes = inbound.readSlice(length: length) else {
                rejectHead(.headTooLarge)
                return
            }
            handle(headBytes)
        }
    }

    private func skipLeadingEmptyLines() {
        while inbound.readableBytes >= 2, inbound.getInteger(at: inbound.readerIndex, as: UInt16.self) == 0x0D0A {
            inbound.moveReaderIndex(forwardBy: 2)
        }
    }

    /// Answers a head that could not be read at all, then closes.
    private func rejectHead(_ error: GatewayError) {
        let requestID = resources.requestIDs.next()
        shared.telemetry.requestStarted()
        let record = RequestRecord(requestID: requestID, method: "", path: "", status: error.status)
        sendLocal(error.response(requestID: requestID, close: true, headOnly: false, allocator: context.channel.allocator),
                  record: record, error: error.reason, close: true)
    }

    private func handle(_ headBytes: ByteBuffer) {
        let started = NIODeadline.now()
        shared.telemetry.requestStarted()
        let refused = headBytes.withUnsafeReadableBytes { RefusedMethod.starts($0) }
        let head: RequestHead
        do {
            head = try RequestHead(parsing: headBytes)
        } catch {
            let requestID = resources.requestIDs.next()
            let answer: GatewayError = refused ? .methodNotAllowed : .badRequest(error.reason)
            var record = RequestRecord(requestID: requestID, method: "", path: "", status: answer.status)
            record.latencySeconds = ProxyExchange.seconds(since: started)
            sendLocal(answer.response(requestID: requestID, close: true, headOnly: false, allocator: context.channel.allocator),
                      record: record, error: answer.reason, close: true)
            return
        }
        let requestID = head.requestID.map(head.string) ?? resources.requestIDs.next()
        if refused {
            return answerError(head, requestID: requestID, started: started, .methodNotAllowed)
        }
        let destination = head.bytes.withUnsafeReadableBytes { RequestPath.classify($0, head.path, metrics: configuration.publicMetrics) }
        switch destination {
        case .healthz:
            var body = context.channel.allocator.buffer(capacity: 2)
            body.writeStaticString("ok")
            answerLocally(head, requestID: requestID, started: started, status: 200, contentType: "text/plain", body: body)
        case .metrics:
            let text = shared.telemetry.metricsText()
            var body = context.channel.allocator.buffer(capacity: text.utf8.count)
            body.writeString(text)
            answerLocally(head, requestID: requestID, started: started, status: 200,
                          contentType: "text/plain; version=0.0.4", body: body)
        case .notFound:
            answerError(head, requestID: requestID, started: started, .noService)
        case .proxy(let service, let rest):
            route(head, service: service, rest: rest, requestID: requestID, started: started)
        }
    }

    private func route(_ head: RequestHead, service: Range<Int>, rest: Range<Int>, requestID: String, started: NIODeadline) {
        let escapes = head.bytes.withUnsafeReadableBytes { RequestPath.escapesBase($0, rest) }
        if escapes {
            return answerError(head, requestID: requestID, started: started, .badPath)
        }
        let serving = shared.tables.current
        let user: UserRoutes
        switch presentedUser(head, in: serving.table) {
        case .known(let known):
            user = known
        case .unknown:
            return answerError(head, requestID: requestID, started: started, .missingKey)
        case .conflicting:
            return answerError(head, requestID: requestID, started: started, .conflictingKeys)
        }
        let serviceType = head.string(service)
        guard let route = user.route(for: serviceType) else {
            return answerError(head, requestID: requestID, started: started, .noRoute, user: user.name, service: serviceType)
        }
        if case .chunked(var scanner) = head.framing {
            // Refuse a body that is already visibly broken before anything goes upstream.
            let outcome = inbound.withUnsafeReadableBytes { scanner.scan($0) }
            if outcome == .invalid {
                return answerError(head, requestID: requestID, started: started, .badChunked, user: user.name,
                                   service: serviceType, close: true)
            }
        }
        guard let plan = plan(route, user: user.name, service: serviceType, serving: serving) else {
            return answerError(head, requestID: requestID, started: started, .noEnabledCandidate, user: user.name,
                               service: serviceType)
        }
        var admission: RateLimitStatus?
        if user.limits != .unlimited {
            switch shared.limits.admit(user.keyDigest, limits: user.limits) {
            case .refused(let refusal):
                shared.telemetry.limitRejected(user: user.name, limit: refusal.kind)
                return answerError(head, requestID: requestID, started: started, .rateLimited(refusal), user: user.name,
                                   service: serviceType, extraHeaders: RateLimitHeaders.refusal(refusal))
            case .admitted(let status):
                admission = status
            }
        }
        let exchange = ProxyExchange(head: head, rest: rest, requestID: requestID, started: started, user: user.name,
                                     serviceType: serviceType, prepared: resources.prepared(for: serving), plan: plan)
        if user.limits != .unlimited { exchange.limitedUser = user.keyDigest }
        exchange.rateLimit = admission
        if draining { exchange.closeClientAfter = true }
        self.exchange = exchange
        forward(exchange)
    }

    /// Hashes the keys the request presents and asks `table` which of them belong to a user.
    private func presentedUser(_ head: RequestHead, in table: RouteTable) -> PresentedUser<UserRoutes> {
        head.bytes.withUnsafeReadableBytes { bytes in
            let digest = { (range: Range<Int>?) in range.map { UserKeyDigest.of(UnsafeRawBufferPointer(rebasing: bytes[$0])) } }
            return PresentedUser.resolve(bearer: digest(head.bearerKey), apiKey: digest(head.apiKey), lookup: table.user(for:))
        }
    }

    // MARK: - Forwarding

    /// Which candidates the request may try, in order: the one of a single-candidate route,
    /// or what the candidate router picks. Nil when none is enabled.
    private func plan(_ route: Route, user: String, service: String, serving: ServingTable) -> AttemptPlan? {
        if route.candidates.count == 1 {
            return route.candidates[0].enabled ? .single(target: route.candidates[0].target) : nil
        }
        let key = RouteKey(user: user, service: service)
        let positions = shared.candidates.order(for: route, key: key, in: serving)
        guard !positions.isEmpty else { return nil }
        return AttemptPlan(route: key, positions: positions, targets: positions.map { route.candidates[$0].target })
    }

    /// Starts the first try; a plan that may fail over keeps the body for a replay.
    private func forward(_ exchange: ProxyExchange) {
        if exchange.plan.failsOver {
            exchange.replay = Self.replayBuffer(for: exchange.head.framing, limit: configuration.retryBodyLimit)
        }
        enterStreaming()
        startNextAttempt(exchange)
    }

    /// An empty buffer to keep the body in for a replay, or nil when the body is known to be
    /// larger than `limit`.
    private static func replayBuffer(for framing: BodyFraming, limit: Int) -> ByteBuffer? {
        switch framing {
        case .length(let remaining): remaining <= limit ? ByteBuffer() : nil
        default: ByteBuffer()
        }
    }

    private func startNextAttempt(_ exchange: ProxyExchange) {
        exchange.plan.advance()
        guard let target = exchange.target else { return }
        if exchange.plan.current > 0 {
            // Each try gets the whole timeout, not what the failed one left over.
            if exchange.requestBodyDone { waitForResponseHead() } else { enterStreaming() }
        }
        open(exchange, to: target, fresh: false)
    }

    private func open(_ exchange: ProxyExchange, to target: PreparedTarget, fresh: Bool) {
        let attempt = exchange.plan.current
        resources.pool.acquire(target.origin, fresh: fresh) { [self] result in
            // A connection that arrives after its try was given up (timed out) is not used.
            guard self.exchange === exchange, exchange.plan.current == attempt, exchange.upstream == nil, !closing else {
                if case .success(let connection) = result { resources.pool.release(connection) }
                return
            }
            switch result {
            case .failure: attemptFailed(exchange, .connectError, .upstreamUnreachable)
            case .success(let connection): send(exchange, over: connection, target: target)
            }
        }
    }

    private func send(_ exchange: ProxyExchange, over connection: UpstreamConnection, target: PreparedTarget) {
        exchange.upstream = connection
        connection.begin(sink: self, requestWasHead: exchange.head.isHeadMethod, webSocket: exchange.isWebSocket)
        var out = context.channel.allocator.buffer(capacity: exchange.head.bytes.readableBytes + 256)
        UpstreamRequestHead.write(exchange.head, rest: exchange.rest, target: target, requestID: exchange.requestID,
                                  clientAddress: clientAddress, webSocket: exchange.isWebSocket, into: &out)
        connection.write(out)
        if let replay = exchange.replay, replay.readableBytes > 0 { connection.write(replay) }
        exchange.upstreamSentAt = .now()
        if exchange.requestBodyDone {
            waitForResponseHead()
        } else {
            pumpRequestBody(exchange)
        }
        connection.flush()
        upstreamNeedsFlush = false
        readIfWanted()
    }

    private func pumpRequestBody(_ exchange: ProxyExchange) {
        guard let upstream = exchange.upstream else { return }
        while !exchange.requestBodyDone, inbound.readableBytes > 0 {
            let (step, payload) = exchange.requestFraming.advance(removingTrailersFrom: &inbound)
            switch step {
            case .more(let n):
                guard n > 0, let slice = inbound.readSlice(length: n) else { return }
                exchange.bytesIn += n
                exchange.hold(slice, payload: payload, limit: configuration.retryBodyLimit)
                upstream.write(slice)
                upstreamNeedsFlush = true
            case .done(let n):
                if n > 0, let slice = inbound.readSlice(length: n) {
                    exchange.bytesIn += n
                    exchange.hold(slice, payload: payload, limit: configuration.retryBodyLimit)
                    upstream.write(slice)
                }
                upstreamNeedsFlush = true
                exchange.requestBodyDone = true
                if !exchange.responseStarted { waitForResponseHead() }
            case .invalid:
                exchange.closeClientAfter = true
                failExchange(exchange, .badChunked)
                return
            }
        }
    }

    private func waitForResponseHead() {
        arm(.upstreamHead, until: .now() + configuration.upstreamTimeout)
    }

    // MARK: - UpstreamResponseSink

    func upstreamInformational(_ head: ResponseHead) {
        // An HTTP/1.0 client cannot take an interim response (RFC 9110 §15.2): it is dropped,
        // and as nothing reached the client the exchange may still fail over.
        guard let exchange, !exchange.head.isHTTP10 else { return }
        exchange.sentInformational = true
        var head = head
        head.hiddenCredential = exchange.target.map(InjectedCredential.init)
        var out = context.channel.allocator.buffer(capacity: head.bytes.readableBytes + 64)
        head.write(to: &out, requestID: exchange.requestID, closeClient: false, toHTTP10: false)
        context.write(wrapOutboundOut(out), promise: nil)
    }

    func upstreamResponseHead(_ head: ResponseHead) {
        guard let exchange else { return }
        var head = head
        // Kept with the head: a captured failure is written after later tries, to other targets.
        head.hiddenCredential = exchange.target.map(InjectedCredential.init)
        if exchange.head.isHTTP10, case .chunked = head.framing {
            // HTTP/1.0 has no chunked framing: the payload goes on alone and the close ends it.
            exchange.upstream?.dechunkBody()
        }
        if let sent = exchange.upstreamSentAt {
            shared.telemetry.upstreamFirstByte(serviceType: exchange.serviceType, seconds: ProxyExchange.seconds(since: sent))
        }
        let outcome = AttemptOutcome(status: head.status)
        let retryAfter = outcome == .rateLimited ? head.value(of: HeaderName.retryAfter).flatMap {
            RetryAfter.seconds($0, now: shared.candidates.clock.wallSeconds())
        } : nil
        if outcome.isFailure, exchange.requestBodyDone, canTryAnother(exchange) {
            // Read this answer whole instead of forwarding it; the upstream-head timeout stays armed.
            exchange.capture = CapturedResponse(head: head, retryAfter: retryAfter)
            return
        }
        concludeAttempt(exchange, outcome, retryAfter: retryAfter)
        exchange.responseStarted = true
        exchange.responseStatus = head.status
        exchange.ttfbSeconds = ProxyExchange.seconds(since: exchange.started)
        exchange.usageTap = UsageTap(head: head, framingRemoved: exchange.head.isHTTP10)
        if head.endsWithClose(toHTTP10: exchange.head.isHTTP10) || !exchange.requestBodyDone || draining {
            exchange.closeClientAfter = true
        }
        var out = context.channel.allocator.buffer(capacity: head.bytes.readableBytes + 96)
        head.write(to: &out, requestID: exchange.requestID, closeClient: exchange.closeClientAfter,
                   toHTTP10: exchange.head.isHTTP10, rateLimit: exchange.rateLimit)
        context.write(wrapOutboundOut(out), promise: nil)
        enterStreaming()
    }

    /// The upstream accepted a WebSocket upgrade: the `101` goes to the client (without the
    /// credential), the handshake is logged as a request, and the connection becomes a tunnel
    /// (`WebSocketHandover`) that keeps the user's concurrency slot until it closes.
    func upstreamUpgraded(_ head: ResponseHead, connection: UpstreamConnection, early: ByteBuffer?) {
        guard let exchange, exchange.upstream === connection else { return connection.abandon() }
        self.exchange = nil
        closing = true
        deadline.cancel()
        concludeAttempt(exchange, .ok)
        var head = head
        head.hiddenCredential = exchange.target.map(InjectedCredential.init)
        var out = context.channel.allocator.buffer(capacity: head.bytes.readableBytes + 96)
        head.write(to: &out, requestID: exchange.requestID, closeClient: false, toHTTP10: false, webSocket: true)
        context.write(wrapOutboundOut(out), promise: nil)
        exchange.ttfbSeconds = ProxyExchange.seconds(since: exchange.started)
        let session = WebSocketSession(exchange, head: head, shared: shared)
        if draining { session.drainRequested() }
        exchange.limitedUser = nil
        finish(exchange, status: 101, error: nil)
        WebSocketHandover.start(session: session, client: context, clientHandler: self, clientEarly: inbound,
                                upstream: connection, upstreamEarly: early)
    }

    func upstreamResponseBody(_ bytes: ByteBuffer) {
        guard let exchange else { return }
        if exchange.capture != nil {
            return captureBody(bytes, exchange)
        }
        exchange.bytesOut += bytes.readableBytes
        deadline.touch()
        exchange.usageTap?.observe(bytes)
        context.write(wrapOutboundOut(bytes), promise: nil)
    }

    func upstreamReadBurstEnded() {
        context.flush()
    }

    func upstreamResponseEnded(_ connection: UpstreamConnection, reusable: Bool) {
        guard let exchange else {
            connection.abandon()
            return
        }
        if reusable && exchange.requestBodyDone {
            resources.pool.release(connection)
        } else {
            connection.abandon()
        }
        if let captured = exchange.capture {
            exchange.capture = nil
            exchange.upstream = nil
            exchange.lastResponse = captured
            return attemptFailed(exchange, captured.outcome, .upstreamClosed, retryAfter: captured.retryAfter)
        }
        self.exchange = nil
        finish(exchange, status: exchange.responseStatus, error: nil)
        if exchange.closeClientAfter {
            closeAfterFlush()
        } else {
            nextRequest()
        }
    }

    func upstreamFailed(_ error: GatewayError) {
        guard let exchange else { return }
        // A kept-alive connection the upstream closed just as it was reused: nothing of the
        // request is lost if it had no body, so send it once more on a fresh connection.
        if let connection = exchange.upstream, let target = exchange.target, connection.completedResponses > 0,
           !exchange.responseStarted, exchange.capture == nil, exchange.bytesIn == 0 || exchange.replay != nil,
           exchange.requestBodyDone, !exchange.retried {
            exchange.retried = true
            exchange.upstream = nil
            open(exchange, to: target, fresh: true)
            return
        }
        if let captured = exchange.capture {
            // The failure answer broke off: it cannot be returned, but the try still failed.
            exchange.capture = nil
            return attemptFailed(exchange, captured.outcome, error, retryAfter: captured.retryAfter)
        }
        guard exchange.responseStarted else {
            return attemptFailed(exchange, error == .upstreamInvalid ? .invalidResponse : .reset, error)
        }
        failExchange(exchange, error)
    }

    func upstreamWritabilityChanged(isWritable: Bool) {
        if isWritable, let exchange, !exchange.requestBodyDone { context.read() }
    }

    var acceptsUpstreamBytes: Bool { exchange?.capture != nil || context.channel.isWritable }

    // MARK: - Failover

    /// Whether the request may still go to another candidate: nothing reached the client,
    /// the body can be replayed, and the plan has a candidate left.
    private func canTryAnother(_ exchange: ProxyExchange) -> Bool {
        !exchange.responseStarted && !exchange.sentInformational && exchange.replay != nil && exchange.plan.hasNext
    }

    /// Notes how the current try ended: in the plan (for the log and metrics) and, on a route
    /// with several candidates, in the shared candidate health.
    private func concludeAttempt(_ exchange: ProxyExchange, _ outcome: AttemptOutcome, retryAfter: Double? = nil) {
        guard let target = exchange.target else { return }
        exchange.plan.append(UpstreamAttempt(provider: target.provider, key: target.keyName, outcome: outcome))
        if let route = exchange.plan.route {
            shared.candidates.record(outcome, retryAfter: retryAfter, pair: target.pair, route: route,
                                     position: exchange.plan.currentPosition)
        }
    }

    /// A try failed before anything reached the client: try the next candidate, or answer
    /// with the last failure response received, or with `error`.
    private func attemptFailed(_ exchange: ProxyExchange, _ outcome: AttemptOutcome, _ error: GatewayError,
                               retryAfter: Double? = nil) {
        exchange.upstream?.abandon()
        exchange.upstream = nil
        concludeAttempt(exchange, outcome, retryAfter: retryAfter)
        if canTryAnother(exchange) {
            return startNextAttempt(exchange)
        }
        if let response = exchange.lastResponse {
            return forwardCaptured(response, exchange)
        }
        if outcome == .timeout { exchange.closeClientAfter = true }
        failExchange(exchange, error)
    }

    private func captureBody(_ bytes: ByteBuffer, _ exchange: ProxyExchange) {
        exchange.capture?.body.writeImmutableBuffer(bytes)
        guard let captured = exchange.capture, captured.body.readableBytes > CapturedResponse.maxBodyBytes else { return }
        exchange.capture = nil
        attemptFailed(exchange, captured.outcome, .upstreamInvalid, retryAfter: captured.retryAfter)
    }

    /// Sends a failure response that was read whole, as the upstream sent it (de-chunked
    /// already for an HTTP/1.0 client), without the credential of the target that sent it.
    private func forwardCaptured(_ captured: CapturedResponse, _ exchange: ProxyExchange) {
        self.exchange = nil
        exchange.responseStarted = true
        exchange.responseStatus = captured.head.status
        if captured.head.endsWithClose(toHTTP10: exchange.head.isHTTP10) || draining { exchange.closeClientAfter = true }
        var out = context.channel.allocator.buffer(capacity: captured.head.bytes.readableBytes + 96 + captured.body.readableBytes)
        captured.head.write(to: &out, requestID: exchange.requestID, closeClient: exchange.closeClientAfter,
                            toHTTP10: exchange.head.isHTTP10)
        out.writeImmutableBuffer(captured.body)
        exchange.bytesOut += captured.body.readableBytes
        context.write(wrapOutboundOut(out), promise: nil)
        finish(exchange, status: captured.head.status, error: nil)
        if exchange.closeClientAfter {
            closeAfterFlush()
        } else {
            context.flush()
            nextRequest()
        }
    }

    // MARK: - Endings

    /// Ends an exchange the gateway has to answer for: an error response if nothing was
    /// sent yet, otherwise a cut connection (the client sees a truncated response).
    private func failExchange(_ exchange: ProxyExchange, _ error: GatewayError) {
        self.exchange = nil
        exchange.upstream?.abandon()
        if exchange.responseStarted {
            finish(exchange, status: exchange.responseStatus, error: error.reason, complete: false)
            context.flush()
            closeConnection()
            return
        }
        let record = exchange.record(status: error.status, error: error.reason)
        releaseLimits(exchange, record)
        let close = exchange.closeClientAfter || !exchange.requestBodyDone
        let response = error.response(requestID: exchange.requestID, close: close, headOnly: exchange.head.isHeadMethod,
                                      allocator: context.channel.allocator)
        sendLocal(response, record: record, error: error.reason,
                  close: close)
    }

    private func finish(_ exchange: ProxyExchange, status: Int, error: String?, complete: Bool = true) {
        let record = exchange.record(status: status, error: error, complete: complete)
        releaseLimits(exchange, record)
        shared.telemetry.requestFinished(record)
    }

    /// Ends the request's hold on its user's limits: the concurrency slot, and the tokens
    /// and cost it used towards the budgets.
    private func releaseLimits(_ exchange: ProxyExchange, _ record: RequestRecord) {
        guard let user = exchange.limitedUser else { return }
        exchange.limitedUser = nil
        shared.limits.finish(user, tokens: record.budgetTokens, usd: record.costUSD ?? 0)
    }

    private func answerError(_ head: RequestHead, requestID: String, started: NIODeadline, _ error: GatewayError,
                             user: String? = nil, service: String? = nil, close: Bool = false,
                             extraHeaders: [(String, String)] = []) {
        let close = close || !discardBody(of: head)
        let response = error.response(requestID: requestID, close: close, headOnly: head.isHeadMethod,
                                      allocator: context.channel.allocator, extraHeaders: extraHeaders)
        var record = RequestRecord(requestID: requestID, method: head.string(head.method), path: head.string(head.path),
                                   status: error.status, latencySeconds: ProxyExchange.seconds(since: started))
        record.user = user
        record.serviceType = service
        sendLocal(response, record: record, error: error.reason, close: close)
    }

    private func answerLocally(_ head: RequestHead, requestID: String, started: NIODeadline, status: Int,
                               contentType: String, body: ByteBuffer) {
        let close = !discardBody(of: head)
        let response = LocalResponse.make(status: status, contentType: contentType, body: body, requestID: requestID,
                                          close: close, headOnly: head.isHeadMethod, allocator: context.channel.allocator)
        let record = RequestRecord(requestID: requestID, method: head.string(head.method), path: head.string(head.path),
                                   status: status, latencySeconds: ProxyExchange.seconds(since: started),
                                   bytesOut: body.readableBytes)
        sendLocal(response, record: record, error: nil, close: close)
    }

    /// Skips a request body the gateway answers without reading; false when it cannot
    /// (not all here yet, or chunked), and the connection must close instead.
    private func discardBody(of head: RequestHead) -> Bool {
        switch head.framing {
        case .none: return !draining && head.keepAlive
        case .length(let n) where n <= inbound.readableBytes:
            inbound.moveReaderIndex(forwardBy: n)
            return !draining && head.keepAlive
        default: return false
        }
    }

    private func sendLocal(_ response: ByteBuffer, record: RequestRecord, error: String?, close: Bool) {
        var record = record
        record.error = error
        shared.telemetry.requestFinished(record)
        context.write(wrapOutboundOut(response), promise: nil)
        if close {
            closeAfterFlush()
        } else {
            context.flush()
            nextRequest()
        }
    }

    /// Back to reading heads: the next pipelined request if one is buffered. Called from
    /// inside `processHeads`, it only re-arms the timer and the loop takes the next head.
    private func nextRequest() {
        guard !closing else { return }
        if inbound.readableBytes > 0 {
            arm(.head, until: .now() + configuration.headerTimeout)
            processHeads()
        } else {
            if draining { return closeConnection() }
            arm(.keepAlive, until: .now() + configuration.keepAliveTimeout)
        }
        readIfWanted()
    }

    private func closeAfterFlush() {
        closing = true
        deadline.cancel()
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: promise)
        let context = self.context!
        promise.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func closeConnection() {
        closing = true
        deadline.cancel()
        context.close(promise: nil)
    }

    // MARK: - Timeouts

    private func arm(_ phase: ConnectionDeadline.Phase, until time: NIODeadline) {
        if let sooner = deadline.enter(phase, until: time) { reschedule(at: sooner) }
    }

    private func enterStreaming() {
        if let sooner = deadline.enterStreaming(idleTimeout: configuration.idleTimeout) { reschedule(at: sooner) }
    }

    private func reschedule(at time: NIODeadline) {
        let task = context.eventLoop.assumeIsolated().scheduleTask(deadline: time) { [weak self] () -> Void in self?.deadlineFired() }
        deadline.scheduled(task, at: time)
    }

    private func deadlineFired() {
        deadline.fired()
        guard !closing else { return }
        let due = deadline.effectiveDeadline
        guard due <= .now() else {
            if due != .distantFuture { reschedule(at: due) }
            return
        }
        switch deadline.phase {
        case .none:
            break
        case .head, .keepAlive:
            closeConnection()
        case .upstreamHead:
            if let exchange {
                exchange.capture = nil
                attemptFailed(exchange, .timeout, .upstreamTimeout)
            } else {
                closeConnection()
            }
        case .streaming:
            if let exchange {
                exchange.closeClientAfter = true
                failExchange(exchange, .upstreamTimeout)
            } else {
                closeConnection()
            }
        }
    }
}
