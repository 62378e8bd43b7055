import NIOCore

/// One pooled upstream connection's request/response cycle as a value, in the manner of
/// async-http-client's `HTTP1ConnectionStateMachine`: `UpstreamChannelHandler` feeds it
/// channel events and runs the action each returns. It owns what decides the connection's
/// next step: the response head read strictly, 1xx heads and the `101` of a WebSocket
/// upgrade, the body's framing (and, when asked, its de-chunking), when to read, and whether
/// the connection may carry another request. It touches no channel and reads no clock, so
/// every transition is tested without sockets (`UpstreamConnectionStateMachineTests`).
///
/// One read can hold several steps (1xx heads, the final head, body bytes, the end): the
/// machine hands them out one at a time, and the handler asks for the next (`nextAction`)
/// only after running the last. So the sink's reaction to a step shapes the steps after it:
/// a head that turns de-chunking on changes how the body read with it is forwarded, and a
/// sink that abandons the connection stops what is left.
struct UpstreamConnectionStateMachine {
    static let maxResponseHead = 64 * 1024
    /// Informational (1xx) heads allowed before the final one: they are passed on as they
    /// come, and an upstream that sent them without end would fill a slow client's buffers
    /// with nothing the gateway can hold back (found by a review: 1.5 M `102`s pinned 60 MB).
    static let maxInformationalHeads = 16

    enum Action {
        /// Nothing to do until the next event.
        case wait
        /// Ask the channel for more bytes.
        case read
        /// Pass a 1xx head on; the final head follows.
        case forwardInformationalHead(ResponseHead)
        case forwardResponseHead(ResponseHead)
        case forwardResponseBody(ByteBuffer)
        /// A read burst of body bytes is over: the sink's moment to flush, after which the
        /// handler asks `readBurstEnded(sinkAccepts:)` whether to read on.
        case endReadBurst
        /// The response is complete. The sink decides on the pool (`reusable`: whether the
        /// connection may carry another request); `closeConnection` when it must close once
        /// the sink has been told.
        case succeedResponse(reusable: Bool, closeConnection: Bool)
        /// The upstream accepted the WebSocket upgrade: the connection has left the HTTP cycle
        /// and goes, with the bytes read past the `101` (the first frames), to the sink.
        case upgrade(ResponseHead, early: ByteBuffer?)
        /// The response failed; `closeConnection` unless the channel is closed already.
        case failResponse(UpstreamFailure, closeConnection: Bool)
        /// Drop the sink, leave the pool and close the channel.
        case close
    }

    /// Where the connection is in its request/response cycle.
    private enum State {
        /// Between requests, possibly in the pool.
        case idle
        case awaitingHead(HeadReading)
        case body(BodyForwarding)
        /// Closed or closing, abandoned, or handed over to a WebSocket tunnel: for good.
        case closed
    }

    /// A request went up; its response head (or a 1xx one) is being read.
    private struct HeadReading {
        var requestWasHead: Bool
        /// The request asked for a WebSocket: a `101` switching to it ends the HTTP cycle.
        var webSocketRequested: Bool
        /// Bytes read and not yet taken by a head.
        var buffered: ByteBuffer?
        var scanner = HeadScanner()
        var informationalHeads = 0
    }

    /// The final head was passed on; the body follows.
    private struct BodyForwarding {
        var framing: BodyFraming
        var closesAfterResponse: Bool
        /// Set while the response's chunk framing is taken off (`dechunkRequested`).
        var payloadDecoder: ChunkedPayloadDecoder?
        /// Bytes read and not yet forwarded: the body read with the head, or what follows
        /// the end of the response.
        var unforwarded: ByteBuffer?
        /// Payload parts of a de-chunked slice, passed on one action at a time.
        var payloadParts: [ByteBuffer] = []
    }

    private var state = State.idle
    /// How many responses this connection has carried (0 = fresh): a reused connection that
    /// fails may only have been closed by the upstream while idle (`StaleConnectionResend`).
    private(set) var completedResponses = 0

    /// Between requests: the pool may hand the connection out (if its channel is up).
    var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }

    // MARK: - Requests

    /// A request/response cycle starts (`begin`): the response head is due.
    mutating func requestStarted(requestWasHead: Bool, webSocket: Bool) -> Action {
        state = .awaitingHead(HeadReading(requestWasHead: requestWasHead, webSocketRequested: webSocket))
        return .read
    }

    /// From now until the current response ends, only the payload of its chunked body is
    /// forwarded: no chunk sizes, extensions or trailers. The sink asks for it from its
    /// response head callback, before any body byte is forwarded.
    mutating func dechunkRequested() {
        guard case .body(var forwarding) = state else { return }
        forwarding.payloadDecoder = ChunkedPayloadDecoder()
        state = .body(forwarding)
    }

    /// The connection is given up (by the sink or the pool): it never returns to the pool.
    mutating func abandon() -> Action {
        state = .closed
        return .close
    }

    // MARK: - Channel events

    mutating func received(_ bytes: ByteBuffer) -> Action {
        switch state {
        case .idle, .closed:
            // Nothing was asked: an idle connection that talks is not reusable.
            state = .closed
            return .close
        case .awaitingHead(var reading):
            Self.append(bytes, to: &reading.buffered)
            state = .awaitingHead(reading)
        case .body(var forwarding):
            Self.append(bytes, to: &forwarding.unforwarded)
            state = .body(forwarding)
        }
        return nextAction()
    }

    /// The handler ran the last action: the next step from the bytes already read.
    mutating func nextAction() -> Action {
        switch state {
        case .idle, .closed: .wait
        case .awaitingHead(let reading): nextHead(reading)
        case .body(let forwarding): nextBodyStep(forwarding)
        }
    }

    /// A read burst is over. While a head is due, reading goes on regardless of the sink; an
    /// idle connection reads too, so that it notices the upstream closing it.
    func readComplete() -> Action {
        switch state {
        case .idle, .awaitingHead: .read
        case .body: .endReadBurst
        case .closed: .wait
        }
    }

    /// The sink has flushed after a burst of body bytes: read on only as fast as it takes them.
    func readBurstEnded(sinkAccepts: Bool) -> Action {
        guard case .body = state, sinkAccepts else { return .wait }
        return .read
    }

    /// The channel closed. A body delimited by the close ends here; any other unfinished
    /// response failed.
    mutating func channelInactive() -> Action {
        let previous = state
        state = .closed
        switch previous {
        case .body(let forwarding):
            if case .untilClose = forwarding.framing {
                return .succeedResponse(reusable: false, closeConnection: false)
            }
            return .failResponse(.closed, closeConnection: false)
        case .awaitingHead:
            return .failResponse(.closed, closeConnection: false)
        case .idle, .closed:
            return .wait
        }
    }

    // MARK: - Steps

    private mutating func nextHead(_ reading: HeadReading) -> Action {
        var reading = reading
        guard var buffer = reading.buffered else { return .wait }
        guard let length = reading.scanner.headLength(in: buffer) else {
            if buffer.readableBytes > Self.maxResponseHead { return fail(.invalidResponse) }
            state = .awaitingHead(reading)
            return .wait
        }
        guard length <= Self.maxResponseHead, let headBytes = buffer.readSlice(length: length),
            let head = ResponseHead(parsing: headBytes, requestWasHead: reading.requestWasHead),
            head.status != 101 || (reading.webSocketRequested && WebSocketUpgrade.accepts(head))
        else {
            return fail(.invalidResponse)
        }
        let rest = buffer.readableBytes > 0 ? buffer : nil
        if head.status == 101 {
            // A 101 has no body: the bytes after it are the first WebSocket frames. The
            // connection leaves the HTTP cycle and the pool for good.
            state = .closed
            return .upgrade(head, early: rest)
        }
        if head.status < 200 {
            reading.informationalHeads += 1
            guard reading.informationalHeads <= Self.maxInformationalHeads else { return fail(.invalidResponse) }
            reading.buffered = rest
            state = .awaitingHead(reading)
            return .forwardInformationalHead(head)
        }
        state = .body(
            BodyForwarding(framing: head.framing, closesAfterResponse: head.closesConnection, unforwarded: rest))
        return .forwardResponseHead(head)
    }

    private mutating func nextBodyStep(_ forwarding: BodyForwarding) -> Action {
        var forwarding = forwarding
        while true {
            if !forwarding.payloadParts.isEmpty {
                let part = forwarding.payloadParts.removeFirst()
                state = .body(forwarding)
                return .forwardResponseBody(part)
            }
            if forwarding.framing.isComplete {
                return succeed(leftover: forwarding.unforwarded != nil, closes: forwarding.closesAfterResponse)
            }
            guard var bytes = forwarding.unforwarded else {
                state = .body(forwarding)
                return .wait
            }
            forwarding.unforwarded = nil
            // Trailer fields and chunk extensions are taken out on the way (`ChunkedBodyScanner.framingOnly`):
            // what is left to forward after them comes back round the loop.
            let step = forwarding.framing.advance(removingDroppedBytesFrom: &bytes).step
            let length: Int
            switch step {
            case .more(let n), .done(let n): length = n
            case .invalid: return fail(.invalidResponse)
            }
            let slice = bytes.readSlice(length: length)
            if bytes.readableBytes > 0 { forwarding.unforwarded = bytes }
            guard let slice, slice.readableBytes > 0 else { continue }
            guard var decoder = forwarding.payloadDecoder else {
                state = .body(forwarding)
                return .forwardResponseBody(slice)
            }
            slice.withUnsafeReadableBytes { raw in
                // The scanner has accepted these bytes (sizes of at most 15 digits): this cannot fail.
                _ = decoder.decode(raw) { part in
                    if let payload = slice.getSlice(at: slice.readerIndex + part.lowerBound, length: part.count) {
                        forwarding.payloadParts.append(payload)
                    }
                }
            }
            forwarding.payloadDecoder = decoder
        }
    }

    private static func append(_ bytes: ByteBuffer, to buffered: inout ByteBuffer?) {
        var bytes = bytes
        if buffered == nil {
            buffered = bytes
        } else {
            buffered!.writeBuffer(&bytes)
        }
    }

    /// Bytes after a complete response were never asked for: the connection cannot be trusted
    /// with another request.
    private mutating func succeed(leftover: Bool, closes: Bool) -> Action {
        state = leftover ? .closed : .idle
        completedResponses += 1
        return .succeedResponse(reusable: !leftover && !closes, closeConnection: leftover)
    }

    private mutating func fail(_ failure: UpstreamFailure) -> Action {
        state = .closed
        return .failResponse(failure, closeConnection: true)
    }
}
