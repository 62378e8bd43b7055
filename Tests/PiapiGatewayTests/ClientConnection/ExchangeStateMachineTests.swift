import NIOCore
import Testing

@testable import PiapiGateway

/// One proxied request's states without a socket: the body's way up and its replay, the
/// response of each try, and every failover rule as the machine applies them. The loopback
/// tests in `Failover/` prove the same rules end to end.
@Suite struct ExchangeStateMachineTests {
    typealias Machine = ExchangeStateMachine

    static let t0 = NIODeadline.uptimeNanoseconds(5_000_000_000)
    static let twoCandidates = AttemptPlan(
        route: RouteKey(user: "alice", service: "codex"), positions: [0, 1], targets: [7, 9])

    static func machine(
        plan: AttemptPlan = twoCandidates, framing: BodyFraming = .none, keepAlive: Bool = true,
        limit: Int = 1024
    ) -> Machine {
        Machine(plan: plan, framing: framing, keepAlive: keepAlive, retryBodyLimit: limit, started: t0)
    }

    static func head(_ status: Int, _ fields: String = "content-length: 0\r\n") -> ResponseHead {
        ResponseHead(parsing: ByteBuffer(string: "HTTP/1.1 \(status) X\r\n\(fields)\r\n"), requestWasHead: false)!
    }

    static func respond(
        _ machine: inout Machine, _ status: Int, closes: Bool = false,
        draining: Bool = false
    ) -> Machine.HeadAction {
        machine.responseHead(
            head(status), retryAfter: nil, closes: closes, draining: draining, now: t0 + .milliseconds(40))
    }

    static func isCapture(_ action: Machine.HeadAction) -> Bool {
        if case .capture = action { return true }
        return false
    }

    static func forwarded(_ action: Machine.HeadAction) -> AttemptOutcome? {
        if case .forward(let outcome) = action { return outcome }
        return nil
    }

    // MARK: - Tries and timers

    @Test func eachTryGetsItsTargetAndAFreshTimer() {
        var machine = Self.machine()
        let first = machine.startNextAttempt()
        #expect(first?.target == 7)
        #expect(first?.timer == .unchanged)
        #expect(machine.sent(now: Self.t0) == .awaitResponseHead)
        #expect(machine.upstreamSentAt == Self.t0)
        let second = machine.startNextAttempt()
        #expect(second?.target == 9)
        #expect(second?.timer == .responseHead)
        #expect(machine.startNextAttempt() == nil)
        var streaming = Self.machine(framing: .length(remaining: 4))
        _ = streaming.startNextAttempt()
        #expect(streaming.sent(now: Self.t0) == .relayRequestBody)
        #expect(streaming.startNextAttempt()?.timer == .idle)
    }

    // MARK: - Request body and replay

    @Test func aLengthBodyGoesUpInPiecesAndIsKeptForAReplay() {
        var machine = Self.machine(framing: .length(remaining: 5))
        _ = machine.startNextAttempt()
        var inbound = ByteBuffer(string: "hel")
        guard case .more(let first) = machine.nextBodyPart(from: &inbound) else {
            Issue.record("no part")
            return
        }
        #expect(String(buffer: first) == "hel")
        guard case .waiting = machine.nextBodyPart(from: &inbound) else {
            Issue.record("not waiting")
            return
        }
        inbound = ByteBuffer(string: "loGET / HTTP/1.1\r\n\r\n")
        guard case .last(let last?) = machine.nextBodyPart(from: &inbound) else {
            Issue.record("no last part")
            return
        }
        #expect(String(buffer: last) == "lo")
        #expect(String(buffer: inbound) == "GET / HTTP/1.1\r\n\r\n")
        #expect(machine.requestBodyDone)
        #expect(machine.bytesIn == 5)
        #expect(machine.replayBytes.map { String(buffer: $0) } == "hello")
    }

    @Test func aBodyOverTheRetryLimitIsNotKeptAndTheRequestStaysWithItsCandidate() {
        var known = Self.machine(framing: .length(remaining: 2000), limit: 1024)
        _ = known.startNextAttempt()
        var first = ByteBuffer(string: "x")
        _ = known.nextBodyPart(from: &first)
        #expect(known.replayBytes == nil)
        #expect(!known.mayTryAnother)
        var grown = Self.machine(framing: .chunked(ChunkedBodyScanner()), limit: 4)
        _ = grown.startNextAttempt()
        #expect(grown.mayTryAnother)
        var inbound = ByteBuffer(string: "5\r\nhello\r\n")
        _ = grown.nextBodyPart(from: &inbound)
        #expect(grown.replayBytes == nil)
        #expect(!grown.mayTryAnother)
    }

    /// Found by the review: a POST on a single-candidate route whose reused connection the
    /// upstream had just closed got a 502 (its body was not held for the resend).
    @Test func aSingleCandidateKeepsItsBodyForAResendOnAFreshConnection() {
        var machine = Self.machine(plan: .single(target: 3), framing: .length(remaining: 3))
        _ = machine.startNextAttempt()
        var inbound = ByteBuffer(string: "abc")
        _ = machine.nextBodyPart(from: &inbound)
        #expect(machine.replayBytes == ByteBuffer(string: "abc"))
        #expect(!machine.mayTryAnother)  // no other candidate
        #expect(machine.upstreamFailed(.closed, connectionWasReused: true) == .resend)
        // Once a response is forwarded the copy is let go.
        #expect(Self.forwarded(Self.respond(&machine, 200)) == .ok)
        #expect(machine.replayBytes == nil)
    }

    /// Found by the review: a body over the retry limit was never tried on the next candidate,
    /// even when the first could not be reached and nothing of the body had left the gateway.
    @Test func aBodyOverTheLimitStillFailsOverWhenNothingOfItWasSent() {
        var machine = Self.machine(framing: .length(remaining: 5000), limit: 1000)
        _ = machine.startNextAttempt()
        #expect(machine.mayTryAnother)
        #expect(machine.afterFailedAttempt(.connectError) == .tryNext)
        _ = machine.startNextAttempt()
        var inbound = ByteBuffer(string: "abc")
        _ = machine.nextBodyPart(from: &inbound)
        #expect(machine.replayBytes == nil)
        #expect(!machine.mayTryAnother)
    }

    @Test func aBrokenChunkedBodyIsInvalidAndClosesTheClient() {
        var machine = Self.machine(framing: .chunked(ChunkedBodyScanner()))
        _ = machine.startNextAttempt()
        var inbound = ByteBuffer(string: "zz\r\n")
        guard case .invalid = machine.nextBodyPart(from: &inbound) else {
            Issue.record("not invalid")
            return
        }
        #expect(machine.closeClientAfter)
    }

    // MARK: - Responses

    @Test func aSuccessIsForwardedWithItsTimeToFirstByte() {
        var machine = Self.machine()
        _ = machine.startNextAttempt()
        #expect(Self.forwarded(Self.respond(&machine, 200)) == .ok)
        #expect(machine.responseStarted)
        #expect(machine.responseStatus == 200)
        #expect(machine.ttfbSeconds == 0.04)
        guard case .forward = machine.responseBody(ByteBuffer(string: "abc")) else {
            Issue.record("not forwarded")
            return
        }
        #expect(machine.bytesOut == 3)
        #expect(!machine.closeClientAfter)
        #expect(machine.responseEnded(reusable: true).returnConnection)
    }

    @Test func theClientIsClosedAfterAResponseThatClosesADrainOrAnUnfinishedBody() {
        for (closes, draining) in [(true, false), (false, true)] {
            var machine = Self.machine(plan: .single(target: 0))
            _ = machine.startNextAttempt()
            _ = Self.respond(&machine, 200, closes: closes, draining: draining)
            #expect(machine.closeClientAfter)
        }
        var early = Self.machine(plan: .single(target: 0), framing: .length(remaining: 10))
        _ = early.startNextAttempt()
        _ = Self.respond(&early, 200)
        #expect(early.closeClientAfter)
        // …and its connection cannot go back to the pool: the body is not all up.
        #expect(!early.responseEnded(reusable: true).returnConnection)
        #expect(Self.machine(keepAlive: false).closeClientAfter)
    }

    @Test func aFailureWithAnotherCandidateLeftIsCapturedThenTheNextIsTried() {
        var machine = Self.machine()
        _ = machine.startNextAttempt()
        #expect(Self.isCapture(Self.respond(&machine, 503)))
        #expect(machine.isCapturing)
        guard case .captured = machine.responseBody(ByteBuffer(string: "busy")) else {
            Issue.record("not captured")
            return
        }
        #expect(machine.bytesOut == 0)
        guard case .captureEnded(let captured) = machine.responseEnded(reusable: true).then else {
            Issue.record("capture did not end")
            return
        }
        #expect(captured.head.status == 503)
        #expect(machine.afterFailedAttempt(captured.outcome) == .tryNext)
        _ = machine.startNextAttempt()
        // The last candidate's failure is forwarded as it is.
        #expect(Self.forwarded(Self.respond(&machine, 502)) == .serverError)
    }

    @Test func whenEveryTryFailedWithoutAResponseTheLastCapturedAnswerIsReturned() {
        var machine = Self.machine()
        _ = machine.startNextAttempt()
        _ = Self.respond(&machine, 429)
        _ = machine.responseBody(ByteBuffer(string: "slow"))
        _ = machine.responseEnded(reusable: false)
        #expect(machine.afterFailedAttempt(.rateLimited) == .tryNext)
        _ = machine.startNextAttempt()
        guard case .attemptFailed(let outcome, _) = machine.upstreamFailed(.unreachable, connectionWasReused: false)
        else {
            Issue.record("not a failed try")
            return
        }
        #expect(outcome == .connectError)
        #expect(machine.afterFailedAttempt(outcome) == .answerCaptured)
        let answer = machine.answerCaptured(closes: false, draining: false)
        #expect(answer?.head.status == 429)
        #expect(machine.responseStatus == 429)
        #expect(machine.bytesOut == 4)
    }

    @Test func withNothingCapturedTheFailureIsAnsweredAndATimeoutClosesTheClient() {
        var machine = Self.machine(plan: .single(target: 0))
        _ = machine.startNextAttempt()
        #expect(machine.afterFailedAttempt(.reset) == .fail(closeClient: false))
        #expect(!machine.closeClientAfter)
        #expect(machine.afterFailedAttempt(.timeout) == .fail(closeClient: true))
        #expect(machine.closeClientAfter)
    }

    @Test func aCapturedFailureTooLongToHoldFailsTheTry() {
        var machine = Self.machine()
        _ = machine.startNextAttempt()
        _ = Self.respond(&machine, 500)
        guard case .captured = machine.responseBody(ByteBuffer(repeating: 0x61, count: CapturedResponse.maxBodyBytes))
        else {
            Issue.record("not captured")
            return
        }
        guard case .captureOverflowed(let captured) = machine.responseBody(ByteBuffer(string: "!")) else {
            Issue.record("no overflow")
            return
        }
        #expect(captured.outcome == .serverError)
        #expect(!machine.isCapturing)
        #expect(machine.lastCaptured == nil)
    }

    @Test func aFailureIsForwardedWhenTheBodyIsNotAllUp() {
        var machine = Self.machine(framing: .length(remaining: 10))
        _ = machine.startNextAttempt()
        #expect(Self.forwarded(Self.respond(&machine, 503)) == .serverError)
    }

    @Test func anInformationalHeadCommitsTheExchangeExceptToAnHTTP10Client() {
        var old = Self.machine()
        _ = old.startNextAttempt()
        #expect(old.informational(toHTTP10Client: true) == false)
        #expect(old.mayTryAnother)
        var machine = Self.machine()
        _ = machine.startNextAttempt()
        #expect(machine.informational(toHTTP10Client: false) == true)
        #expect(!machine.mayTryAnother)
        #expect(Self.forwarded(Self.respond(&machine, 503)) == .serverError)
    }

    // MARK: - Upstream failures

    @Test func aReusedConnectionThatFailsIsResentOnceOnAFreshOne() {
        var machine = Self.machine(plan: .single(target: 0))
        _ = machine.startNextAttempt()
        guard case .resend = machine.upstreamFailed(.closed, connectionWasReused: true) else {
            Issue.record("no resend")
            return
        }
        guard case .attemptFailed(let outcome, .none) = machine.upstreamFailed(.closed, connectionWasReused: true)
        else {
            Issue.record("resent twice")
            return
        }
        #expect(outcome == .reset)
        var fresh = Self.machine(plan: .single(target: 0))
        _ = fresh.startNextAttempt()
        guard case .attemptFailed = fresh.upstreamFailed(.closed, connectionWasReused: false) else {
            Issue.record("a fresh connection was resent")
            return
        }
    }

    @Test func aResponseCutMidwayCutsTheClient() {
        var machine = Self.machine()
        _ = machine.startNextAttempt()
        _ = Self.respond(&machine, 200)
        guard case .cut = machine.upstreamFailed(.closed, connectionWasReused: true) else {
            Issue.record("not cut")
            return
        }
    }

    @Test func aCapturedFailureThatBreaksOffCountsAsItsOwnOutcome() {
        var machine = Self.machine()
        _ = machine.startNextAttempt()
        _ = machine.responseHead(Self.head(429), retryAfter: 17, closes: false, draining: false, now: Self.t0)
        guard
            case .attemptFailed(let outcome, let retryAfter) = machine.upstreamFailed(
                .closed, connectionWasReused: false)
        else {
            Issue.record("not a failed try")
            return
        }
        #expect(outcome == .rateLimited)
        #expect(retryAfter == 17)
        #expect(machine.lastCaptured == nil)
    }

    @Test func aResponseHeadTimeoutDropsACaptureInProgress() {
        var machine = Self.machine()
        _ = machine.startNextAttempt()
        _ = Self.respond(&machine, 500)
        machine.responseHeadTimedOut()
        #expect(!machine.isCapturing)
        #expect(machine.afterFailedAttempt(.timeout) == .tryNext)
    }

    @Test func transportFailuresCountByKind() {
        for (failure, outcome) in [
            (UpstreamFailure.closed, AttemptOutcome.reset), (.invalidResponse, .invalidResponse),
            (.timeout, .timeout), (.unreachable, .connectError),
        ] {
            var machine = Self.machine()
            _ = machine.startNextAttempt()
            guard case .attemptFailed(let counted, _) = machine.upstreamFailed(failure, connectionWasReused: false)
            else {
                Issue.record("not a failed try")
                continue
            }
            #expect(counted == outcome)
        }
    }

    // MARK: - Endings

    @Test func aSwitchToWebSocketStartsTheResponseWithItsTimeToFirstByte() {
        var machine = Self.machine()
        _ = machine.startNextAttempt()
        _ = machine.sent(now: Self.t0)
        machine.switchedProtocols(now: Self.t0 + .milliseconds(25))
        #expect(machine.responseStarted)
        #expect(machine.responseStatus == 101)
        #expect(machine.ttfbSeconds == 0.025)
        // Nothing can be tried again once the client was switched.
        #expect(!machine.mayTryAnother)
    }

    @Test func silenceBeyondTheIdleTimeoutClosesTheClient() {
        var machine = Self.machine(framing: .length(remaining: 10))
        _ = machine.startNextAttempt()
        #expect(!machine.closeClientAfter)
        machine.idleTimedOut()
        #expect(machine.closeClientAfter)
    }

    @Test func aCapturedAnswerClosesTheClientWhenItOrADrainSaysSo() {
        for (closes, draining, expected) in [(false, false, false), (true, false, true), (false, true, true)] {
            var machine = Self.machine()
            _ = machine.startNextAttempt()
            _ = Self.respond(&machine, 503)
            _ = machine.responseBody(ByteBuffer(string: "busy"))
            _ = machine.responseEnded(reusable: true)
            _ = machine.afterFailedAttempt(.serverError)
            _ = machine.startNextAttempt()
            #expect(machine.afterFailedAttempt(.reset) == .answerCaptured)
            #expect(machine.answerCaptured(closes: closes, draining: draining)?.head.status == 503)
            #expect(machine.closeClientAfter == expected)
        }
        var nothing = Self.machine()
        _ = nothing.startNextAttempt()
        #expect(nothing.answerCaptured(closes: false, draining: false) == nil)
        #expect(!nothing.responseStarted)
    }

    @Test func aRecordShows499WhenTheClientLeftBeforeAnyAnswer() {
        var machine = Self.machine()
        _ = machine.startNextAttempt()
        #expect(machine.statusWhenClientLeft == 499)
        _ = Self.respond(&machine, 503)  // captured, not sent
        #expect(machine.statusWhenClientLeft == 499)
        var streaming = Self.machine()
        _ = streaming.startNextAttempt()
        _ = Self.respond(&streaming, 201)
        #expect(streaming.statusWhenClientLeft == 201)
    }

    @Test func theGatewaysOwnAnswerClosesTheClientWhenBodyBytesAreStillDue() {
        var done = Self.machine()
        _ = done.startNextAttempt()
        #expect(done.answeredByGateway() == false)
        var unfinished = Self.machine(framing: .length(remaining: 10))
        _ = unfinished.startNextAttempt()
        #expect(unfinished.answeredByGateway() == true)
        #expect(unfinished.closeClientAfter)
        var closing = Self.machine(keepAlive: false)
        #expect(closing.answeredByGateway() == true)
    }
}
