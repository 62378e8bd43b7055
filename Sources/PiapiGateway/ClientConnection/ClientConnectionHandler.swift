import NIOCore
import RouteTable

/// Serves one client connection: parses each request head strictly, answers locally or
/// forwards to an upstream connection from this loop's pool, and passes body bytes through
/// untouched in both directions with backpressure. Requests are handled strictly one at a
/// time, in order; pipelined bytes wait in the buffer.
///
/// A shell: what happens next is decided by `ClientConnectionStateMachine` (the connection)
/// and `ExchangeStateMachine` (the request in flight), values that read no clock and touch
/// no channel; the handler feeds them channel events and runs the actions they return. This
/// file holds the channel events and the connection's actions; `+Heads` turns a head into an
/// answer or an exchange, `+Exchange` runs the exchange and is the upstream's response sink.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let shared: GatewayContext
    let resources: LoopResources
    var context: ChannelHandlerContext!
    /// The connection's state: buffered bytes, heads, keep-alive, drain, the deadline.
    var machine: ClientConnectionStateMachine
    /// The connection's one timer, set as the machine's deadline says.
    private var timer: Scheduled<Void>?
    var exchange: ProxyExchange?
    var clientAddress = "unknown"
    var upstreamNeedsFlush = false

    init(shared: GatewayContext, resources: LoopResources) {
        self.shared = shared
        self.resources = resources
        machine = ClientConnectionStateMachine(limits: .init(shared.configuration))
    }

    var configuration: GatewayConfiguration { shared.configuration }

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
        machine.activated(now: .now())
        syncTimer()
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch machine.received(unwrapInboundIn(data), now: .now()) {
        case .none:
            break
        case .relayRequestBody:
            if let exchange, exchange.upstream != nil, !exchange.state.requestBodyDone { pumpRequestBody(exchange) }
        case .serveHeads:
            syncTimer()
            serveHeads()
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
        guard context.channel.isWritable else { return }
        switch machine.clientBecameWritable(responseStarted: exchange?.state.responseStarted ?? false, now: .now()) {
        case .none:
            break
        case .readUpstream:
            exchange?.upstream?.read()
        case .serveNext:
            // The client took its answers: go on with the heads it pipelined meanwhile.
            serveNext()
        case .close:
            closeConnection()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is ChannelShouldQuiesceEvent else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if machine.drainRequested() { closeConnection() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        machine.closeNow()
        syncTimer()
        if let exchange {
            self.exchange = nil
            exchange.upstream?.abandon()
            finish(exchange, status: exchange.state.statusWhenClientLeft, error: "client disconnected", complete: false)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        closeConnection()
    }

    func readIfWanted() {
        let relay: ClientConnectionStateMachine.RequestBodyRelay? = exchange.map {
            $0.state.requestBodyDone ? .done : .pending(upstreamWritable: $0.upstream?.isWritable ?? false)
        }
        if machine.shouldRead(relay: relay, clientWritable: context.channel.isWritable) { context.read() }
    }

    // MARK: - Request heads

    /// Answers buffered heads one after another in a loop (never by recursion) until one is
    /// forwarded, the buffer holds no complete head, or the client stops taking answers.
    func serveHeads() {
        guard machine.beginServingHeads() else { return }
        defer { machine.endServingHeads() }
        while true {
            switch machine.nextHead(clientWritable: context.channel.isWritable, now: .now()) {
            case .handle(let head):
                handle(head)
            case .reject(let error):
                rejectHead(error)
            case .stop:
                syncTimer()
                return
            }
        }
    }

    /// An answer went out: close after it, or go on with the next request.
    func requestEnded(closeClient: Bool) {
        switch machine.requestEnded(closeClient: closeClient, now: .now()) {
        case .closeAfterFlush: closeAfterFlush()
        case .close: closeConnection()
        case .serveNext: serveNext()
        }
    }

    /// Back to reading heads: the next pipelined request if one is buffered. Called from
    /// inside `serveHeads`, only the timer changes and the loop takes the next head.
    func serveNext() {
        syncTimer()
        serveHeads()
        readIfWanted()
    }

    func closeAfterFlush() {
        syncTimer()
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer()), promise: promise)
        let context = self.context!
        promise.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    func closeConnection() {
        machine.closeNow()
        syncTimer()
        context.close(promise: nil)
    }

    // MARK: - Timeouts

    func enterStreaming() {
        machine.enterStreaming(now: .now())
        syncTimer()
    }

    /// Applies the machine's deadline to the one scheduled task.
    func syncTimer() {
        switch machine.takeTimerChange() {
        case nil:
            break
        case .cancel:
            timer?.cancel()
            timer = nil
        case .schedule(let time):
            timer?.cancel()
            timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: time) { [weak self] () -> Void in
                self?.timerFired()
            }
        }
    }

    func timerFired() {
        timer = nil
        let action = machine.timerFired(now: .now())
        syncTimer()
        switch action {
        case .none:
            break
        case .close:
            closeConnection()
        case .responseHeadTimedOut:
            if let exchange {
                exchange.state.responseHeadTimedOut()
                attemptFailed(exchange, UpstreamFailure.timeout.attemptOutcome, .timeout)
            }
        case .idleTimedOut:
            if let exchange {
                exchange.state.idleTimedOut()
                failExchange(
                    exchange, exchange.clientStalled ? .clientBodyTimeout : UpstreamFailure.timeout.gatewayError)
            }
        }
    }
}
