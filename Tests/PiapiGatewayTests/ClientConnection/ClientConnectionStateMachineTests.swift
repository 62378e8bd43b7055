import NIOCore
import Testing

@testable import PiapiGateway

/// Every transition of a client connection without a socket or a clock: time is a number the
/// test moves, bytes are buffers it hands in, and the assertions are on the actions and the
/// timer the machine asks for.
@Suite struct ClientConnectionStateMachineTests {
    typealias Machine = ClientConnectionStateMachine

    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    static let head = "GET /healthz HTTP/1.1\r\nhost: g\r\n\r\n"

    static func machine(maxHeadSize: Int = 1024) -> Machine {
        var configuration = GatewayConfiguration()
        configuration.maxHeadSize = maxHeadSize
        configuration.headerTimeout = .seconds(10)
        configuration.keepAliveTimeout = .seconds(60)
        configuration.upstreamTimeout = .seconds(30)
        configuration.idleTimeout = .milliseconds(300)
        var machine = Machine(limits: .init(configuration))
        machine.activated(now: t0)
        return machine
    }

    static func text(_ action: Machine.NextHead) -> String? {
        if case .handle(let bytes) = action { return String(buffer: bytes) }
        return nil
    }

    // MARK: - Heads and pipelining

    @Test func activationExpectsAHeadWithinTheHeaderTimeout() {
        var machine = Self.machine()
        #expect(machine.state == .readingHead)
        #expect(machine.takeTimerChange() == .schedule(at: Self.t0 + .seconds(10)))
        #expect(machine.takeTimerChange() == nil)
        #expect(machine.timerFired(now: Self.t0 + .seconds(10)) == .close)
    }

    @Test func aHeadInPiecesIsHandledWhenComplete() {
        var machine = Self.machine()
        #expect(machine.received(ByteBuffer(string: "GET /healthz HT"), now: Self.t0) == .serveHeads)
        #expect(machine.nextHead(clientWritable: true, now: Self.t0) == .stop)
        _ = machine.received(ByteBuffer(string: "TP/1.1\r\nhost: g\r\n\r\n"), now: Self.t0)
        #expect(Self.text(machine.nextHead(clientWritable: true, now: Self.t0)) == Self.head)
    }

    @Test func pipelinedHeadsComeOutOneByOneInOrderWithEmptyLinesSkipped() {
        var machine = Self.machine()
        let heads = (0..<3).map { "GET /\($0) HTTP/1.1\r\n\r\n" }
        _ = machine.received(ByteBuffer(string: "\r\n\r\n" + heads.joined(separator: "\r\n")), now: Self.t0)
        #expect(machine.beginServingHeads() == true)
        for head in heads {
            #expect(Self.text(machine.nextHead(clientWritable: true, now: Self.t0)) == head)
            #expect(machine.requestEnded(closeClient: false, now: Self.t0) == .serveNext)
        }
        #expect(machine.nextHead(clientWritable: true, now: Self.t0) == .stop)
        machine.endServingHeads()
        #expect(machine.state == .idle)
    }

    /// The loop over buffered heads is flat: 50,000 pipelined requests are 50,000 turns of
    /// one loop (they once nested 50,000 deep and overflowed the stack).
    @Test func fiftyThousandPipelinedRequestsAreServedByOneFlatLoop() {
        var machine = Self.machine()
        let one = "GET /healthz HTTP/1.1\r\n\r\n"
        _ = machine.received(ByteBuffer(string: String(repeating: one, count: 50_000)), now: Self.t0)
        #expect(machine.beginServingHeads() == true)
        var served = 0
        var nested = 0
        while case .handle(let bytes) = machine.nextHead(clientWritable: true, now: Self.t0),
            bytes.readableBytes == one.utf8.count
        {
            served += 1
            // An answer given from inside the loop must not start a loop of its own.
            if machine.beginServingHeads() { nested += 1 }
            _ = machine.requestEnded(closeClient: false, now: Self.t0)
        }
        machine.endServingHeads()
        #expect(served == 50_000)
        #expect(nested == 0)
        #expect(machine.beginServingHeads() == true)
    }

    @Test func aHeadLargerThanAllowedIsRejected() {
        var incomplete = Self.machine(maxHeadSize: 64)
        _ = incomplete.received(ByteBuffer(string: "GET /" + String(repeating: "a", count: 80)), now: Self.t0)
        #expect(incomplete.nextHead(clientWritable: true, now: Self.t0) == .reject(.headTooLarge))
        var complete = Self.machine(maxHeadSize: 64)
        _ = complete.received(
            ByteBuffer(string: "GET /" + String(repeating: "a", count: 60) + " HTTP/1.1\r\n\r\n"), now: Self.t0)
        #expect(complete.nextHead(clientWritable: true, now: Self.t0) == .reject(.headTooLarge))
    }

    @Test func aLocallyAnsweredBodyIsSkippedWhenAllHereOtherwiseTheConnectionCloses() throws {
        var machine = Self.machine()
        _ = machine.received(
            ByteBuffer(string: "POST /healthz HTTP/1.1\r\ncontent-length: 3\r\n\r\nabcGET /x HTTP/1.1\r\n\r\n"),
            now: Self.t0)
        guard case .handle(let bytes) = machine.nextHead(clientWritable: true, now: Self.t0) else {
            Issue.record("no head")
            return
        }
        #expect(machine.skipBody(of: try RequestHead(parsing: bytes)))
        _ = machine.requestEnded(closeClient: false, now: Self.t0)
        #expect(Self.text(machine.nextHead(clientWritable: true, now: Self.t0)) == "GET /x HTTP/1.1\r\n\r\n")
        let partial = try RequestHead(parsing: ByteBuffer(string: "POST /x HTTP/1.1\r\ncontent-length: 9\r\n\r\n"))
        #expect(machine.skipBody(of: partial) == false)
        let chunked = try RequestHead(
            parsing: ByteBuffer(string: "POST /x HTTP/1.1\r\ntransfer-encoding: chunked\r\n\r\n"))
        #expect(machine.skipBody(of: chunked) == false)
        let closing = try RequestHead(parsing: ByteBuffer(string: "GET /x HTTP/1.1\r\nconnection: close\r\n\r\n"))
        #expect(machine.skipBody(of: closing) == false)
    }

    // MARK: - Keep-alive

    @Test func betweenRequestsTheKeepAliveTimeoutRunsAndANewByteBringsBackTheHeaderTimeout() {
        var machine = Self.machine()
        _ = machine.takeTimerChange()
        _ = machine.received(ByteBuffer(string: Self.head), now: Self.t0)
        _ = machine.nextHead(clientWritable: true, now: Self.t0)
        let t1 = Self.t0 + .seconds(1)
        #expect(machine.requestEnded(closeClient: false, now: t1) == .serveNext)
        #expect(machine.state == .idle)
        // The header timer (sooner) stays; when it fires early it moves to the keep-alive deadline.
        #expect(machine.takeTimerChange() == nil)
        #expect(machine.timerFired(now: Self.t0 + .seconds(10)) == .none)
        #expect(machine.takeTimerChange() == .schedule(at: t1 + .seconds(60)))
        let t2 = t1 + .seconds(5)
        #expect(machine.received(ByteBuffer(string: "G"), now: t2) == .serveHeads)
        #expect(machine.state == .readingHead)
        #expect(machine.takeTimerChange() == .schedule(at: t2 + .seconds(10)))
        #expect(machine.timerFired(now: t2 + .seconds(10)) == .close)
    }

    @Test func anIdleKeepAliveConnectionClosesAtTheKeepAliveTimeout() {
        var machine = Self.machine()
        _ = machine.received(ByteBuffer(string: Self.head), now: Self.t0)
        _ = machine.nextHead(clientWritable: true, now: Self.t0)
        _ = machine.requestEnded(closeClient: false, now: Self.t0)
        #expect(machine.timerFired(now: Self.t0 + .seconds(59)) == .none)
        #expect(machine.timerFired(now: Self.t0 + .seconds(60)) == .close)
    }

    @Test func anAnswerThatClosesFlushesFirstAndCancelsTheTimer() {
        var machine = Self.machine()
        _ = machine.takeTimerChange()
        #expect(machine.requestEnded(closeClient: true, now: Self.t0) == .closeAfterFlush)
        #expect(machine.state == .closingAfterFlush)
        #expect(machine.takeTimerChange() == .cancel)
        #expect(machine.received(ByteBuffer(string: Self.head), now: Self.t0) == .none)
        #expect(machine.nextHead(clientWritable: true, now: Self.t0) == .stop)
        #expect(!machine.shouldRead(relay: nil, clientWritable: true))
        #expect(machine.timerFired(now: Self.t0 + .seconds(100)) == .none)
    }

    // MARK: - Backpressure

    @Test func aClientThatDoesNotReadGetsNoAnswersUntilItDoesAndAtMostTheIdleTimeout() {
        var machine = Self.machine()
        _ = machine.takeTimerChange()
        _ = machine.received(ByteBuffer(string: Self.head + Self.head), now: Self.t0)
        #expect(machine.nextHead(clientWritable: false, now: Self.t0) == .stop)
        #expect(!machine.shouldRead(relay: nil, clientWritable: false))
        #expect(machine.takeTimerChange() == .schedule(at: Self.t0 + .milliseconds(300)))
        let t1 = Self.t0 + .milliseconds(100)
        #expect(machine.clientBecameWritable(responseStarted: false, now: t1) == .serveNext)
        #expect(Self.text(machine.nextHead(clientWritable: true, now: t1)) == Self.head)
        var stalled = Self.machine()
        _ = stalled.received(ByteBuffer(string: Self.head), now: Self.t0)
        _ = stalled.nextHead(clientWritable: false, now: Self.t0)
        #expect(stalled.timerFired(now: Self.t0 + .milliseconds(300)) == .close)
    }

    @Test func readingFollowsTheRequestBodyRelayAndBoundsPipelinedBytes() {
        var machine = Self.machine(maxHeadSize: 64)
        machine.exchangeStarted()
        #expect(!machine.shouldRead(relay: .pending(upstreamWritable: false), clientWritable: true))
        #expect(machine.shouldRead(relay: .pending(upstreamWritable: true), clientWritable: false))
        #expect(machine.shouldRead(relay: .done, clientWritable: true))
        #expect(
            machine.received(ByteBuffer(repeating: UInt8(ascii: "a"), count: 64), now: Self.t0) == .relayRequestBody)
        #expect(!machine.shouldRead(relay: .done, clientWritable: true))
    }

    @Test func writabilityDuringAnExchangeOnlyResumesAStartedResponse() {
        var machine = Self.machine()
        machine.exchangeStarted()
        #expect(machine.clientBecameWritable(responseStarted: false, now: Self.t0) == .none)
        #expect(machine.clientBecameWritable(responseStarted: true, now: Self.t0) == .readUpstream)
    }

    // MARK: - Exchange timeouts

    @Test func noResponseHeadWithinTheUpstreamTimeout() {
        var machine = Self.machine()
        machine.exchangeStarted()
        machine.enterStreaming(now: Self.t0)
        let sent = Self.t0 + .milliseconds(100)
        machine.awaitResponseHead(now: sent)
        #expect(machine.timerFired(now: Self.t0 + .milliseconds(300)) == .none)
        #expect(machine.takeTimerChange() == .schedule(at: sent + .seconds(30)))
        #expect(machine.timerFired(now: sent + .seconds(30)) == .responseHeadTimedOut)
    }

    /// The deadline trails the last byte: activity moves it, silence lets it pass. (The
    /// loopback test `silenceMidStreamClosesTheClientAfterTheIdleTimeout` proves the same.)
    @Test func silenceMidStreamEndsTheExchangeAfterTheIdleTimeout() {
        var machine = Self.machine()
        _ = machine.takeTimerChange()
        machine.exchangeStarted()
        machine.enterStreaming(now: Self.t0)
        #expect(machine.takeTimerChange() == .schedule(at: Self.t0 + .milliseconds(300)))
        machine.activity(now: Self.t0 + .milliseconds(200))
        #expect(machine.takeTimerChange() == nil)
        #expect(machine.timerFired(now: Self.t0 + .milliseconds(300)) == .none)
        #expect(machine.takeTimerChange() == .schedule(at: Self.t0 + .milliseconds(500)))
        #expect(machine.timerFired(now: Self.t0 + .milliseconds(500)) == .idleTimedOut)
    }

    @Test func clientBytesDuringAnExchangeCountAsActivity() {
        var machine = Self.machine()
        machine.exchangeStarted()
        machine.enterStreaming(now: Self.t0)
        #expect(machine.received(ByteBuffer(string: "body"), now: Self.t0 + .milliseconds(250)) == .relayRequestBody)
        #expect(machine.timerFired(now: Self.t0 + .milliseconds(300)) == .none)
        #expect(machine.timerFired(now: Self.t0 + .milliseconds(550)) == .idleTimedOut)
    }

    // MARK: - Drain

    @Test func drainClosesAnIdleConnectionAtOnce() {
        var machine = Self.machine()
        _ = machine.takeTimerChange()
        #expect(machine.drainRequested() == true)
        #expect(machine.state == .closed)
        #expect(machine.takeTimerChange() == .cancel)
    }

    @Test func drainLetsTheExchangeInFlightFinishThenCloses() {
        var machine = Self.machine()
        machine.exchangeStarted()
        #expect(machine.drainRequested() == false)
        #expect(machine.draining)
        #expect(machine.requestEnded(closeClient: false, now: Self.t0) == .close)
        #expect(machine.state == .closed)
    }

    @Test func drainAnswersBufferedRequestsWithClose() throws {
        var machine = Self.machine()
        _ = machine.received(ByteBuffer(string: Self.head), now: Self.t0)
        #expect(machine.drainRequested() == false)
        guard case .handle(let bytes) = machine.nextHead(clientWritable: true, now: Self.t0) else {
            Issue.record("no head")
            return
        }
        // A draining connection keeps nothing alive: the answer says close.
        #expect(!machine.skipBody(of: try RequestHead(parsing: bytes)))
    }

    // MARK: - Endings

    @Test func aWebSocketHandoverStopsTheMachineForGood() {
        var machine = Self.machine()
        machine.exchangeStarted()
        machine.awaitResponseHead(now: Self.t0)
        _ = machine.takeTimerChange()
        machine.handOverToTunnel()
        #expect(machine.state == .closed)
        #expect(machine.takeTimerChange() == .cancel)
        // The tunnel owns the channel now: frames are not heads, no timer of this machine
        // fires, a drain is the tunnel's to handle and nothing is read on this machine's behalf.
        #expect(machine.received(ByteBuffer(string: Self.head), now: Self.t0) == .none)
        #expect(machine.nextHead(clientWritable: true, now: Self.t0) == .stop)
        #expect(machine.timerFired(now: Self.t0 + .seconds(3600)) == .none)
        #expect(machine.drainRequested() == false)
        #expect(!machine.shouldRead(relay: nil, clientWritable: true))
        #expect(machine.clientBecameWritable(responseStarted: true, now: Self.t0) == .none)
    }

    @Test func afterCloseNowNothingHappens() {
        var machine = Self.machine()
        _ = machine.received(ByteBuffer(string: Self.head + Self.head), now: Self.t0)
        _ = machine.takeTimerChange()
        machine.closeNow()
        #expect(machine.state == .closed)
        #expect(machine.takeTimerChange() == .cancel)
        #expect(machine.nextHead(clientWritable: true, now: Self.t0) == .stop)
        #expect(machine.requestEnded(closeClient: false, now: Self.t0) == .serveNext)
        #expect(machine.state == .closed)
        #expect(machine.timerFired(now: Self.t0 + .seconds(3600)) == .none)
        #expect(!machine.shouldRead(relay: .done, clientWritable: true))
    }

    @Test func aTimerThatFiresBeforeItsDeadlineIsSetAgainNotObeyed() {
        var machine = Self.machine()
        machine.exchangeStarted()
        machine.enterStreaming(now: Self.t0)
        #expect(machine.takeTimerChange() == .schedule(at: Self.t0 + .milliseconds(300)))
        // Bytes moved at 200 ms: when the task runs at 300 ms the deadline is 500 ms.
        machine.activity(now: Self.t0 + .milliseconds(200))
        #expect(machine.takeTimerChange() == nil)  // a busy stream does not churn its timer
        #expect(machine.timerFired(now: Self.t0 + .milliseconds(300)) == .none)
        #expect(machine.takeTimerChange() == .schedule(at: Self.t0 + .milliseconds(500)))
        #expect(machine.timerFired(now: Self.t0 + .milliseconds(500)) == .idleTimedOut)
    }

    @Test func anAnswerThatClosesDuringADrainStillFlushesFirst() {
        var machine = Self.machine()
        machine.exchangeStarted()
        #expect(machine.drainRequested() == false)
        #expect(machine.requestEnded(closeClient: true, now: Self.t0) == .closeAfterFlush)
        #expect(machine.state == .closingAfterFlush)
        #expect(machine.drainRequested() == false)
        #expect(machine.received(ByteBuffer(string: "x"), now: Self.t0) == .none)
    }
}
