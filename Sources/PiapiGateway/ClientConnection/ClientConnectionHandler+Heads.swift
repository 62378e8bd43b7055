import NIOCore

/// Each request head, from parsing to the gateway's own answer or the start of an exchange.
extension ClientConnectionHandler {
    /// Answers a head that could not be read at all, then closes.
    func rejectHead(_ error: GatewayError) {
        let requestID = resources.requestIDs.next()
        shared.telemetry.requestStarted()
        let record = RequestRecordBuilder.local(
            requestID: requestID, head: nil, started: nil, status: error.status,
            error: error.reason)
        sendLocal(
            error.response(requestID: requestID, close: true, headOnly: false, allocator: context.channel.allocator),
            record: record, close: true)
    }

    func handle(_ headBytes: ByteBuffer) {
        let started = NIODeadline.now()
        shared.telemetry.requestStarted()
        let refused = headBytes.withUnsafeReadableBytes { RefusedMethod.starts($0) }
        let head: RequestHead
        do {
            head = try RequestHead(parsing: headBytes)
        } catch {
            let requestID = resources.requestIDs.next()
            let answer: GatewayError = refused ? .methodNotAllowed : .badRequest(error.reason)
            let record = RequestRecordBuilder.local(
                requestID: requestID, head: nil, started: started,
                status: answer.status, error: answer.reason)
            sendLocal(
                answer.response(
                    requestID: requestID, close: true, headOnly: false, allocator: context.channel.allocator),
                record: record, close: true)
            return
        }
        let requestID = head.requestID.map(head.string) ?? resources.requestIDs.next()
        let serving = shared.tables.current
        let router = RequestRouter(publicMetrics: configuration.publicMetrics)
        let decision = router.route(
            head, methodRefused: refused, table: serving.table, bufferedBody: machine.inbound,
            order: { [shared] route, key in shared.candidates.order(for: route, key: key, in: serving) },
            admit: { [shared] user in shared.limits.admit(user.keyDigest, limits: user.limits) })
        switch decision {
        case .healthz:
            var body = context.channel.allocator.buffer(capacity: 2)
            body.writeStaticString("ok")
            answerLocally(
                head, requestID: requestID, started: started, status: 200, contentType: "text/plain", body: body)
        case .metrics:
            let text = shared.telemetry.metricsText()
            var body = context.channel.allocator.buffer(capacity: text.utf8.count)
            body.writeString(text)
            answerLocally(
                head, requestID: requestID, started: started, status: 200,
                contentType: "text/plain; version=0.0.4", body: body)
        case .refuse(let refusal):
            if let limit = refusal.limit, let user = refusal.user {
                shared.telemetry.limitRejected(user: user, limit: limit)
            }
            answerError(head, requestID: requestID, started: started, refusal)
        case .proxy(let route):
            let exchange = ProxyExchange(
                head: head, requestID: requestID, started: started, route: route,
                prepared: resources.prepared(for: serving),
                keepAlive: head.keepAlive && !machine.draining,
                retryBodyLimit: configuration.retryBodyLimit)
            self.exchange = exchange
            machine.exchangeStarted()
            if head.expectsContinue, !head.framing.isComplete { sendContinue() }
            enterStreaming()
            startNextAttempt(exchange)
        }
    }

    /// Tells a client that waits before sending its body that the request was admitted. Sent
    /// by the gateway, not relayed (the upstream never sees `Expect`), so it commits nothing:
    /// the request can still fail over, and a refused request gets its final answer instead.
    private func sendContinue() {
        var out = context.channel.allocator.buffer(capacity: 25)
        out.writeStaticString("HTTP/1.1 100 Continue\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    func answerError(_ head: RequestHead, requestID: String, started: NIODeadline, _ refusal: RoutingRefusal) {
        let close = refusal.closeClient || !machine.skipBody(of: head)
        let response = refusal.error.response(
            requestID: requestID, close: close, headOnly: head.isHeadMethod,
            allocator: context.channel.allocator, extraHeaders: refusal.extraHeaders)
        let record = RequestRecordBuilder.local(
            requestID: requestID, head: head, started: started, status: refusal.error.status,
            error: refusal.error.reason, user: refusal.user, service: refusal.service)
        sendLocal(response, record: record, close: close)
    }

    func answerLocally(
        _ head: RequestHead, requestID: String, started: NIODeadline, status: Int,
        contentType: String, body: ByteBuffer
    ) {
        let close = !machine.skipBody(of: head)
        let response = LocalResponse.make(
            status: status, contentType: contentType, body: body, requestID: requestID,
            close: close, headOnly: head.isHeadMethod, allocator: context.channel.allocator)
        let record = RequestRecordBuilder.local(
            requestID: requestID, head: head, started: started, status: status,
            error: nil, bytesOut: body.readableBytes)
        sendLocal(response, record: record, close: close)
    }

    func sendLocal(_ response: ByteBuffer, record: RequestRecord, close: Bool) {
        shared.telemetry.requestFinished(record)
        context.write(wrapOutboundOut(response), promise: nil)
        if !close { context.flush() }
        requestEnded(closeClient: close)
    }
}
