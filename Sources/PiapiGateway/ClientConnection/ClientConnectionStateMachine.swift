import NIOCore

/// One client connection's life as a value, in the manner of NIO's
/// `HTTPServerPipelineHandler` and async-http-client's `HTTP1ConnectionStateMachine`: the
/// channel handler feeds it events and runs the action each returns. It owns what decides
/// the connection's next step: the bytes read and not yet used (pipelined heads, request body
/// bytes), head framing, keep-alive, pipelining, backpressure on local answers, drain and the
/// one timer. It reads no clock (every event carries `now`) and touches no channel, so every
/// transition is tested without sockets (`ClientConnectionStateMachineTests`).
///
/// What a proxied request does meanwhile (its body relay, tries, response) is the exchange's
/// business; the machine only knows that one is in flight and, where the connection's next
/// step depends on it, asks the handler for the exchange's `RequestBodyRelay`.
struct ClientConnectionStateMachine {
    enum State: Equatable {
        /// Between requests with nothing buffered: the keep-alive timeout runs.
        case idle
        /// A head is expected or partly buffered (or complete heads wait for the client to
        /// take earlier answers): the header timeout runs.
        case readingHead
        /// A proxied request is in flight; its own timeouts run (upstream head, idle).
        case exchanging
        /// The last answer is being flushed; the connection closes when it is.
        case closingAfterFlush
        case closed
    }

    /// How far the request body of the exchange in flight has gone, as reading needs it.
    enum RequestBodyRelay: Equatable {
        /// More body bytes are due; `upstreamWritable`: an upstream connection is attached
        /// and takes bytes now (otherwise reading waits: backpressure towards the client).
        case pending(upstreamWritable: Bool)
        /// The whole body went up; what the client sends now is its next request.
        case done
    }

    /// The timeouts and the head size the machine enforces.
    struct Limits {
        var maxHeadSize: Int
        var headerTimeout: TimeAmount
        var keepAliveTimeout: TimeAmount
        var upstreamTimeout: TimeAmount
        var idleTimeout: TimeAmount

        init(_ configuration: GatewayConfiguration) {
            maxHeadSize = configuration.maxHeadSize
            headerTimeout = configuration.headerTimeout
            keepAliveTimeout = configuration.keepAliveTimeout
            upstreamTimeout = configuration.upstreamTimeout
            idleTimeout = configuration.idleTimeout
        }
    }

    /// Read bytes the inbound buffer may keep before it is compacted: a client that pipelines
    /// without pause never lets it run empty.
    static let compactThreshold = 64 * 1024

    let limits: Limits
    private(set) var state = State.idle
    /// SIGTERM arrived: answer what is in flight with `Connection: close`, take nothing new.
    private(set) var draining = false
    /// The handler is inside its loop over buffered heads. An answer given from inside it
    /// only sets the connection up for the next head, and the loop takes it: pipelined
    /// requests never nest on the stack (50,000 of them once overflowed it).
    private var servingHeads = false
    /// Bytes read from the client and not yet used. The exchange's body relay takes its bytes
    /// from here too.
    var inbound = ByteBuffer()
    private var scanner = HeadScanner()
    private(set) var deadline = ConnectionDeadline()

    init(limits: Limits) {
        self.limits = limits
    }

    var isClosing: Bool { state == .closingAfterFlush || state == .closed }

    // MARK: - Reading

    /// The connection is up: a head is due within the header timeout. The handler reads.
    mutating func activated(now: NIODeadline) {
        state = .readingHead
        deadline.enter(.head, until: now + limits.headerTimeout)
    }

    enum ReceivedAction: Equatable {
        /// Nothing to do (closing: the bytes are dropped).
        case none
        /// Pass what the client sent to the exchange's body relay, if it is relaying.
        case relayRequestBody
        /// Answer the heads now buffered (`serveHeads` loop).
        case serveHeads
    }

    mutating func received(_ bytes: ByteBuffer, now: NIODeadline) -> ReceivedAction {
        guard !isClosing else { return .none }
        var bytes = bytes
        if inbound.readableBytes == 0 {
            inbound = bytes
        } else {
            if inbound.readerIndex > Self.compactThreshold { inbound.discardReadBytes() }
            inbound.writeBuffer(&bytes)
        }
        if state == .exchanging {
            deadline.touch(now: now)
            return .relayRequestBody
        }
        if deadline.phase == .keepAlive { deadline.enter(.head, until: now + limits.headerTimeout) }
        state = .readingHead
        return .serveHeads
    }

    /// Whether to ask the client for more bytes now. `relay` is the exchange's body state (nil
    /// without one). Backpressure, in one place: a body waits for the upstream to take it; the
    /// next pipelined request waits (up to one head's worth of bytes) for the exchange to end;
    /// without an exchange, reading waits for the client to take its answers.
    func shouldRead(relay: RequestBodyRelay?, clientWritable: Bool) -> Bool {
        guard !isClosing else { return false }
        switch relay {
        case .pending(let upstreamWritable): return upstreamWritable
        case .done: return inbound.readableBytes < limits.maxHeadSize
        case nil: return clientWritable
        }
    }

    // MARK: - Heads

    /// Enters the loop over buffered heads; false when the handler is already inside it.
    mutating func beginServingHeads() -> Bool {
        guard !servingHeads else { return false }
        servingHeads = true
        return true
    }

    mutating func endServingHeads() {
        servingHeads = false
    }

    enum NextHead: Equatable {
        /// Route and answer (or forward) this head.
        case handle(ByteBuffer)
        /// Answer this error and close: the head cannot be read.
        case reject(GatewayError)
        /// Leave the loop: an exchange runs, the connection closes, no complete head is
        /// buffered, or the client is not taking answers.
        case stop
    }

    /// The next step of the loop over buffered heads.
    mutating func nextHead(clientWritable: Bool, now: NIODeadline) -> NextHead {
        guard state == .idle || state == .readingHead, inbound.readableBytes > 0 else { return .stop }
        guard clientWritable else {
            // A client that does not read gets no more answers written (they would pile up in
            // memory) until it does; the idle timeout bounds how long it may stall.
            deadline.enterStreaming(idleTimeout: limits.idleTimeout, now: now)
            return .stop
        }
        skipLeadingEmptyLines()
        guard let length = scanner.headLength(in: inbound) else {
            return inbound.readableBytes > limits.maxHeadSize ? .reject(.headTooLarge) : .stop
        }
        guard length <= limits.maxHeadSize, let head = inbound.readSlice(length: length) else {
            return .reject(.headTooLarge)
        }
        return .handle(head)
    }

    private mutating func skipLeadingEmptyLines() {
        while inbound.readableBytes >= 2, inbound.getInteger(at: inbound.readerIndex, as: UInt16.self) == 0x0D0A {
            inbound.moveReaderIndex(forwardBy: 2)
        }
    }

    /// Skips the body of a request the gateway answers itself; false when it cannot (not all
    /// here yet, or chunked) and the connection must close after the answer instead.
    mutating func skipBody(of head: RequestHead) -> Bool {
        switch head.framing {
        case .none: return !draining && head.keepAlive
        case .length(let n) where n <= inbound.readableBytes:
            inbound.moveReaderIndex(forwardBy: n)
            return !draining && head.keepAlive
        default: return false
        }
    }

    // MARK: - Exchanges

    /// A head was routed upstream: the exchange now owns what the client sends.
    mutating func exchangeStarted() {
        state = .exchanging
    }

    /// The exchange's bytes are flowing (or it waits for a connection): the idle timeout
    /// runs from now, each try afresh.
    mutating func enterStreaming(now: NIODeadline) {
        deadline.enterStreaming(idleTimeout: limits.idleTimeout, now: now)
    }

    /// The whole request went up: the upstream timeout runs until the response head.
    mutating func awaitResponseHead(now: NIODeadline) {
        deadline.enter(.upstreamHead, until: now + limits.upstreamTimeout)
    }

    /// Bytes moved for the exchange in flight.
    mutating func activity(now: NIODeadline) {
        deadline.touch(now: now)
    }

    enum AfterRequest: Equatable {
        /// Flush what was written, then close.
        case closeAfterFlush
        /// Close now (draining, nothing left to answer).
        case close
        /// Go on: serve buffered heads, then read if wanted.
        case serveNext
    }

    /// An answer was written (local, or the end of an exchange); `closeClient` when the
    /// connection must not carry another request.
    mutating func requestEnded(closeClient: Bool, now: NIODeadline) -> AfterRequest {
        guard !isClosing else { return .serveNext }
        if closeClient {
            state = .closingAfterFlush
            deadline.cancel()
            return .closeAfterFlush
        }
        return nextRequest(now: now)
    }

    /// The client took what was written: go on with the heads it pipelined meanwhile.
    /// `exchangeInFlight`: with an exchange, only its response reads on (`.readUpstream`).
    enum WritableAction: Equatable {
        case none
        case readUpstream
        case serveNext
        case close
    }

    mutating func clientBecameWritable(responseStarted: Bool, now: NIODeadline) -> WritableAction {
        guard !isClosing else { return .none }
        if state == .exchanging { return responseStarted ? .readUpstream : .none }
        switch nextRequest(now: now) {
        case .close: return .close
        case .closeAfterFlush, .serveNext: return .serveNext
        }
    }

    private mutating func nextRequest(now: NIODeadline) -> AfterRequest {
        if inbound.readableBytes > 0 {
            state = .readingHead
            deadline.enter(.head, until: now + limits.headerTimeout)
            return .serveNext
        }
        state = .idle
        if draining {
            state = .closed
            deadline.cancel()
            return .close
        }
        deadline.enter(.keepAlive, until: now + limits.keepAliveTimeout)
        return .serveNext
    }

    // MARK: - Endings

    /// SIGTERM: true when the connection is idle and closes now; otherwise the request in
    /// flight (or buffered) is answered with `Connection: close` first.
    mutating func drainRequested() -> Bool {
        draining = true
        guard state != .exchanging, inbound.readableBytes == 0, !isClosing else { return false }
        state = .closed
        deadline.cancel()
        return true
    }

    /// A WebSocket upgrade was accepted: the channel now belongs to the tunnel, and this
    /// connection takes no more requests and runs no timer.
    mutating func handOverToTunnel() {
        state = .closed
        deadline.cancel()
    }

    /// The channel closes now: an error, a cut exchange, a timeout, or the client went away.
    mutating func closeNow() {
        state = .closed
        deadline.cancel()
    }

    enum TimerAction: Equatable {
        case none
        /// The header or keep-alive timeout passed (or a stalled client's idle timeout).
        case close
        /// The try in flight got no response head within the upstream timeout.
        case responseHeadTimedOut
        /// The exchange went silent beyond the idle timeout.
        case idleTimedOut
    }

    mutating func timerFired(now: NIODeadline) -> TimerAction {
        guard deadline.fired(now: now), !isClosing else { return .none }
        switch deadline.phase {
        case .none: return .none
        case .head, .keepAlive: return .close
        case .upstreamHead: return state == .exchanging ? .responseHeadTimedOut : .close
        case .streaming: return state == .exchanging ? .idleTimedOut : .close
        }
    }

    /// The change to the connection's one scheduled task since the last call, if any.
    mutating func takeTimerChange() -> ConnectionDeadline.TimerChange? {
        deadline.takeTimerChange()
    }
}
