import NIOCore

/// One pooled HTTP/1.1 connection to an upstream origin, as the channel sees it: a thin shell
/// that feeds channel events into `UpstreamConnectionStateMachine` and runs the actions it
/// returns (in the manner of async-http-client's `HTTP1ClientChannelHandler`). The machine
/// decides; this handler only talks to the channel, the sink that borrowed the connection and
/// the pool.
final class UpstreamChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    typealias Machine = UpstreamConnectionStateMachine

    let origin: UpstreamOrigin
    weak var pool: UpstreamPool?
    private var context: ChannelHandlerContext?
    private weak var sink: (any UpstreamResponseSink)?
    private var machine = Machine()

    init(origin: UpstreamOrigin) {
        self.origin = origin
    }

    var isUsable: Bool {
        if machine.isIdle, let context, context.channel.isActive { return true }
        return false
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    /// The channel, for a WebSocket tunnel to take over after a `101`.
    var channel: (any Channel)? { context?.channel }

    /// How many responses this connection has carried (0 = fresh).
    var completedResponses: Int { machine.completedResponses }

    /// Starts a request/response cycle delivering to `sink`.
    func begin(sink: any UpstreamResponseSink, requestWasHead: Bool, webSocket: Bool = false) {
        self.sink = sink
        run(machine.requestStarted(requestWasHead: requestWasHead, webSocket: webSocket))
    }

    func write(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    /// From now until the current response ends, hands the sink only the payload of its
    /// chunked body: no chunk sizes, extensions or trailers. Called by the sink from
    /// `upstreamResponseHead`, before any body byte is delivered.
    func dechunkBody() {
        machine.dechunkRequested()
    }

    /// Asks for more response bytes (the sink became writable again).
    func read() {
        context?.read()
    }

    /// Drops the current exchange and closes the connection: it never returns to the pool.
    func abandon() {
        run(machine.abandon())
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// The context holds this handler: keeping it after removal would be a reference cycle
    /// that outlives the channel (the handler, its pipeline and buffers leaked per connection).
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        context.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var action = machine.received(unwrapInboundIn(data))
        // Each step runs before the machine hands out the next: the sink's reaction to one
        // (de-chunking asked for on the head, the connection abandoned) shapes the rest.
        while true {
            if case .wait = action { return }
            run(action)
            action = machine.nextAction()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        run(machine.readComplete())
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        sink?.upstreamWritabilityChanged(isWritable: context.channel.isWritable)
    }

    /// A closed channel can never serve again: it leaves the pool whatever it was doing.
    func channelInactive(context: ChannelHandlerContext) {
        pool?.remove(self)
        run(machine.channelInactive())
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// Runs one action of the machine. A sink is dropped before it is told that its exchange
    /// is over, so nothing it does in reply reaches it from this connection again.
    private func run(_ action: Machine.Action) {
        switch action {
        case .wait:
            break
        case .read:
            context?.read()
        case .forwardInformationalHead(let head):
            sink?.upstreamInformational(head)
        case .forwardResponseHead(let head):
            sink?.upstreamResponseHead(head)
        case .forwardResponseBody(let bytes):
            sink?.upstreamResponseBody(bytes)
        case .endReadBurst:
            sink?.upstreamReadBurstEnded()
            run(machine.readBurstEnded(sinkAccepts: sink?.acceptsUpstreamBytes ?? false))
        case .succeedResponse(let reusable, let closeConnection):
            let sink = self.sink
            self.sink = nil
            sink?.upstreamReadBurstEnded()
            sink?.upstreamResponseEnded(self, reusable: reusable)
            if closeConnection { close() }
        case .upgrade(let head, let early):
            pool?.remove(self)
            guard let sink else { return close() }
            self.sink = nil
            sink.upstreamUpgraded(head, connection: self, early: early)
        case .failResponse(let failure, let closeConnection):
            let sink = self.sink
            self.sink = nil
            if closeConnection { close() }
            sink?.upstreamFailed(failure)
        case .close:
            close()
        }
    }

    private func close() {
        sink = nil
        pool?.remove(self)
        context?.close(promise: nil)
    }
}
