import NIOCore

/// One pooled HTTP/1.1 connection to an upstream origin. It reads the response head
/// strictly, then forwards body bytes untouched to its current sink (or, when the sink asks,
/// only a chunked body's payload), reading only as fast as the sink can write, and tells the
/// pool when it dies.
final class UpstreamConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let origin: UpstreamOrigin
    weak var pool: UpstreamPool?
    private var context: ChannelHandlerContext?
    private weak var sink: (any UpstreamResponseSink)?
    private var state = State.idle
    private var requestWasHead = false
    /// The request asked for a WebSocket: a `101` switching to it ends the HTTP cycle.
    private var webSocketRequested = false
    private var closesAfterResponse = false
    private var scanner = HeadScanner()
    private var pending: ByteBuffer?
    /// Set while the current response's chunk framing is taken off (`dechunkBody`).
    private var payloadDecoder: ChunkedPayloadDecoder?
    /// How many responses this connection has carried (0 = fresh).
    private(set) var completedResponses = 0

    static let maxResponseHead = 64 * 1024
    /// Informational (1xx) heads allowed before the final one: they are passed on as they
    /// come, and an upstream that sent them without end would fill a slow client's buffers
    /// with nothing the gateway can hold back (found by a review: 1.5 M `102`s pinned 60 MB).
    static let maxInformationalHeads = 16
    private var informationalHeads = 0

    /// Where the connection is in its request/response cycle.
    private enum State {
        case idle
        case awaitingHead
        case body(BodyFraming)
        case closed
    }

    init(origin: UpstreamOrigin) {
        self.origin = origin
    }

    var isUsable: Bool {
        if case .idle = state, let context, context.channel.isActive { return true }
        return false
    }

    var isWritable: Bool { context?.channel.isWritable ?? false }

    /// The channel, for a WebSocket tunnel to take over after a `101`.
    var channel: (any Channel)? { context?.channel }

    /// Starts a request/response cycle delivering to `sink`.
    func begin(sink: any UpstreamResponseSink, requestWasHead: Bool, webSocket: Bool = false) {
        self.sink = sink
        self.requestWasHead = requestWasHead
        webSocketRequested = webSocket
        state = .awaitingHead
        scanner.reset()
        pending = nil
        payloadDecoder = nil
        informationalHeads = 0
        context?.read()
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
        payloadDecoder = ChunkedPayloadDecoder()
    }

    /// Asks for more response bytes (the sink became writable again).
    func read() {
        context?.read()
    }

    /// Drops the current exchange and closes the connection: it never returns to the pool.
    func abandon() {
        sink = nil
        state = .closed
        pool?.remove(self)
        context?.close(promise: nil)
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
        var bytes = unwrapInboundIn(data)
        switch state {
        case .idle, .closed:
            // Nothing was asked: an idle connection that talks is not reusable.
            abandon()
        case .awaitingHead:
            if var p = pending {
                p.writeBuffer(&bytes)
                pending = p
            } else {
                pending = bytes
            }
            parseHeads()
        case .body:
            forwardBody(&bytes)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        switch state {
        case .idle:
            context.read()
        case .awaitingHead:
            context.read()
        case .body:
            sink?.upstreamReadBurstEnded()
            if sink?.acceptsUpstreamBytes ?? false { context.read() }
        case .closed:
            break
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        sink?.upstreamWritabilityChanged(isWritable: context.channel.isWritable)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pool?.remove(self)
        let previous = state
        state = .closed
        guard let sink else { return }
        switch previous {
        case .body(.untilClose):
            self.sink = nil
            sink.upstreamReadBurstEnded()
            sink.upstreamResponseEnded(self, reusable: false)
        case .awaitingHead:
            self.sink = nil
            sink.upstreamFailed(.closed)
        case .body:
            self.sink = nil
            sink.upstreamFailed(.closed)
        case .idle, .closed:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func parseHeads() {
        while case .awaitingHead = state, var buffer = pending {
            guard let length = scanner.headLength(in: buffer) else {
                if buffer.readableBytes > Self.maxResponseHead { fail(.invalidResponse) }
                return
            }
            guard length <= Self.maxResponseHead, let headBytes = buffer.readSlice(length: length),
                  let head = ResponseHead(parsing: headBytes, requestWasHead: requestWasHead),
                  head.status != 101 || (webSocketRequested && WebSocketUpgrade.accepts(head)) else {
                fail(.invalidResponse)
                return
            }
            pending = buffer.readableBytes > 0 ? buffer : nil
            if head.status == 101 { return upgraded(head) }
            if head.status < 200 {
                informationalHeads += 1
                guard informationalHeads <= Self.maxInformationalHeads else {
                    fail(.invalidResponse)
                    return
                }
                sink?.upstreamInformational(head)
                continue
            }
            closesAfterResponse = head.closesConnection
            state = .body(head.framing)
            sink?.upstreamResponseHead(head)
            if var rest = pending {
                pending = nil
                forwardBody(&rest)
            } else if head.framing.isComplete {
                finish(leftover: false)
            }
        }
    }

    /// A `101` switched the connection to WebSocket: it leaves the HTTP cycle and the pool for
    /// good, and the sink takes the channel over with whatever was read past the head (a 101
    /// has no body: those bytes are the first frames).
    private func upgraded(_ head: ResponseHead) {
        state = .closed
        pool?.remove(self)
        let early = pending
        pending = nil
        guard let sink else { return abandon() }
        self.sink = nil
        sink.upstreamUpgraded(head, connection: self, early: early)
    }

    private func forwardBody(_ bytes: inout ByteBuffer) {
        guard case .body(var framing) = state else { return }
        let step = framing.advance(over: bytes)
        state = .body(framing)
        switch step {
        case .more(let n):
            if n > 0, let slice = bytes.readSlice(length: n) { deliver(slice) }
        case .done(let n):
            if n > 0, let slice = bytes.readSlice(length: n) { deliver(slice) }
            finish(leftover: bytes.readableBytes > 0)
        case .invalid:
            fail(.invalidResponse)
        }
    }

    /// Passes body bytes to the sink, as they are or (de-chunking) their payload parts.
    private func deliver(_ slice: ByteBuffer) {
        guard var decoder = payloadDecoder else {
            sink?.upstreamResponseBody(slice)
            return
        }
        slice.withUnsafeReadableBytes { bytes in
            // The scanner has accepted these bytes (sizes of at most 15 digits): this cannot fail.
            _ = decoder.decode(bytes) { part in
                if let payload = slice.getSlice(at: slice.readerIndex + part.lowerBound, length: part.count) {
                    sink?.upstreamResponseBody(payload)
                }
            }
        }
        payloadDecoder = decoder
    }

    private func finish(leftover: Bool) {
        state = leftover ? .closed : .idle
        completedResponses += 1
        let sink = self.sink
        self.sink = nil
        sink?.upstreamReadBurstEnded()
        sink?.upstreamResponseEnded(self, reusable: !leftover && !closesAfterResponse)
        if leftover { abandon() }
    }

    private func fail(_ failure: UpstreamFailure) {
        let sink = self.sink
        abandon()
        sink?.upstreamFailed(failure)
    }
}
