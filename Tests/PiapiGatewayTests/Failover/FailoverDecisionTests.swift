import Testing

@testable import PiapiGateway

/// The failover rules as values: what follows a failed try, when a response head is captured
/// instead of forwarded, when a stale kept-alive connection is resent on, and how each
/// transport failure counts and is answered. The loopback tests in this folder prove the same
/// rules end to end.
@Suite struct FailoverDecisionTests {
    @Test func aFailedTryGoesToTheNextCandidateWhenOneMayBeTried() {
        for outcome in AttemptOutcome.allCases where outcome.isFailure {
            #expect(FailoverDecision.after(outcome, mayTryAnother: true, hasCapturedAnswer: true) == .tryNext)
            #expect(FailoverDecision.after(outcome, mayTryAnother: true, hasCapturedAnswer: false) == .tryNext)
        }
    }

    @Test func withoutAnotherCandidateTheCapturedAnswerIsReturned() {
        #expect(FailoverDecision.after(.timeout, mayTryAnother: false, hasCapturedAnswer: true) == .answerCaptured)
        #expect(FailoverDecision.after(.reset, mayTryAnother: false, hasCapturedAnswer: true) == .answerCaptured)
    }

    @Test func withNothingLeftTheGatewayAnswersAndClosesOnlyAfterATimeout() {
        #expect(
            FailoverDecision.after(.timeout, mayTryAnother: false, hasCapturedAnswer: false) == .fail(closeClient: true)
        )
        for outcome in AttemptOutcome.allCases where outcome != .timeout {
            #expect(
                FailoverDecision.after(outcome, mayTryAnother: false, hasCapturedAnswer: false)
                    == .fail(closeClient: false))
        }
    }

    @Test func anotherCandidateNeedsNothingSentAReplayableBodyAndACandidateLeft() {
        #expect(
            FailoverDecision.mayTryAnother(
                responseStarted: false, sentInformational: false, bodyReplayable: true,
                planHasNext: true))
        #expect(
            !FailoverDecision.mayTryAnother(
                responseStarted: true, sentInformational: false, bodyReplayable: true,
                planHasNext: true))
        #expect(
            !FailoverDecision.mayTryAnother(
                responseStarted: false, sentInformational: true, bodyReplayable: true,
                planHasNext: true))
        #expect(
            !FailoverDecision.mayTryAnother(
                responseStarted: false, sentInformational: false, bodyReplayable: false,
                planHasNext: true))
        #expect(
            !FailoverDecision.mayTryAnother(
                responseStarted: false, sentInformational: false, bodyReplayable: true,
                planHasNext: false))
    }

    @Test func onlyAFailureWithTheWholeBodySentAndAnotherCandidateIsCaptured() {
        for status in [500, 503, 429, 401, 403] {
            let outcome = AttemptOutcome(status: status)
            #expect(ResponseHeadDisposition.of(outcome, requestBodyDone: true, mayTryAnother: true) == .capture)
            #expect(ResponseHeadDisposition.of(outcome, requestBodyDone: false, mayTryAnother: true) == .forward)
            #expect(ResponseHeadDisposition.of(outcome, requestBodyDone: true, mayTryAnother: false) == .forward)
        }
        for status in [200, 204, 302, 400, 404, 422] {
            #expect(
                ResponseHeadDisposition.of(
                    AttemptOutcome(status: status), requestBodyDone: true,
                    mayTryAnother: true) == .forward)
        }
    }

    @Test func aStaleConnectionIsResentOnceAndOnlyWhenNothingIsLost() {
        func applies(
            reused: Bool = true, started: Bool = false, capturing: Bool = false, done: Bool = true,
            resendable: Bool = true, resent: Bool = false
        ) -> Bool {
            StaleConnectionResend.applies(
                connectionWasReused: reused, responseStarted: started, capturing: capturing,
                requestBodyDone: done, bodyResendable: resendable, alreadyResent: resent)
        }
        #expect(applies())
        #expect(!applies(reused: false))
        #expect(!applies(started: true))
        #expect(!applies(capturing: true))
        #expect(!applies(done: false))
        #expect(!applies(resendable: false))
        #expect(!applies(resent: true))
    }

    @Test func eachTransportFailureCountsAndAnswersInOnePlace() {
        let expected: [(UpstreamFailure, AttemptOutcome, Int, String)] = [
            (.unreachable, .connectError, 502, "upstream unreachable"),
            (.closed, .reset, 502, "upstream closed"),
            (.invalidResponse, .invalidResponse, 502, "invalid upstream response"),
            (.timeout, .timeout, 504, "upstream timeout"),
        ]
        for (failure, outcome, status, reason) in expected {
            #expect(failure.attemptOutcome == outcome)
            #expect(failure.gatewayError.status == status)
            #expect(failure.gatewayError.reason == reason)
        }
    }
}
