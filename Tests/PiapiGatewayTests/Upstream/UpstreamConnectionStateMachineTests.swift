import NIOCore
import Testing

@testable import PiapiGateway

/// Every transition of an upstream connection without a socket: bytes are buffers the test
/// hands in, and the assertions are on the steps the machine hands out, taken one after the
/// other as `UpstreamChannelHandler` takes them.
@Suite struct UpstreamConnectionStateMachineTests {
    typealias Machine = UpstreamConnectionStateMachine

    /// An action as the tests compare it.
    enum Step: Equatable {
        case read
        case endReadBurst
        case close
        case informational(Int)
        case head(Int)
        case body(String)
        case ended(reusable: Bool, close: Bool)
        case upgraded(Int, early: String?)
        case failed(UpstreamFailure, close: Bool)
    }

    static func step(_ action: Machine.Action) -> Step? {
        switch action {
        case .wait: nil
        case .read: .read
        case .endReadBurst: .endReadBurst
        case .close: .close
        case .forwardInformationalHead(let head): .informational(head.status)
        case .forwardResponseHead(let head): .head(head.status)
        case .forwardResponseBody(let bytes): .body(String(buffer: bytes))
        case .succeedResponse(let reusable, let close): .ended(reusable: reusable, close: close)
        case .upgrade(let head, let early): .upgraded(head.status, early: early.map { String(buffer: $0) })
        case .failResponse(let failure, let close): .failed(failure, close: close)
        }
    }

    /// Hands `text` in and takes every step it holds, as the handler does; `onHead` is the
    /// sink's reaction to the final head, before the machine goes on.
    static func receive(
        _ machine: inout Machine, _ text: String,
        onHead: (inout Machine) -> Void = { _ in }
    ) -> [Step] {
        var steps: [Step] = []
        var action = machine.received(ByteBuffer(string: text))
        while let step = Self.step(action) {
            steps.append(step)
            if case .forwardResponseHead = action { onHead(&machine) }
            action = machine.nextAction()
        }
        return steps
    }

    static func started(requestWasHead: Bool = false, webSocket: Bool = false) -> Machine {
        var machine = Machine()
        _ = machine.requestStarted(requestWasHead: requestWasHead, webSocket: webSocket)
        return machine
    }

    static let ok = "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"
    static let chunkedHead = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
    static let upgrade = "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n"

    // MARK: - Requests and heads

    @Test func aStartedRequestAwaitsItsHeadAndReads() {
        var machine = Machine()
        #expect(machine.isIdle)
        #expect(Self.step(machine.requestStarted(requestWasHead: false, webSocket: false)) == .read)
        #expect(!machine.isIdle)
        #expect(Self.step(machine.nextAction()) == nil)
    }

    @Test func bytesWhileIdleCloseTheConnectionForGood() {
        var machine = Machine()
        #expect(Self.receive(&machine, "HTTP/1.1 200 OK\r\n\r\n") == [.close])
        #expect(!machine.isIdle)
        #expect(Self.receive(&machine, "more") == [.close])
        #expect(Self.step(machine.channelInactive()) == nil)
    }

    @Test func aHeadSplitAcrossReadsIsTakenWhenComplete() {
        var machine = Self.started()
        #expect(Self.receive(&machine, "HTTP/1.1 200 OK\r\ncontent-le") == [])
        #expect(Self.receive(&machine, "ngth: 2\r\n\r") == [])
        #expect(Self.receive(&machine, "\nok") == [.head(200), .body("ok"), .ended(reusable: true, close: false)])
        #expect(machine.isIdle)
    }

    @Test func aHeadLargerThan64KiBFails() {
        var machine = Self.started()
        let start = "HTTP/1.1 200 OK\r\nx-big: "
        let filler = String(repeating: "a", count: Machine.maxResponseHead - start.utf8.count)
        #expect(Self.receive(&machine, start + filler) == [])
        #expect(Self.receive(&machine, "a") == [.failed(.invalidResponse, close: true)])
        #expect(!machine.isIdle)

        var whole = Self.started()
        let head = start + filler + "\r\n\r\n"
        #expect(Self.receive(&whole, head) == [.failed(.invalidResponse, close: true)])
    }

    @Test func anUnparseableHeadFails() {
        for head in [
            "HTTP/1.1 2OO OK\r\n\r\n", "SSH-2.0-OpenSSH\r\n\r\n",
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n",
        ] {
            var machine = Self.started()
            #expect(Self.receive(&machine, head) == [.failed(.invalidResponse, close: true)])
        }
    }

    @Test func informationalHeadsArePassedOnBeforeTheFinalOne() {
        var machine = Self.started()
        let heads = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\n" + Self.ok
        #expect(
            Self.receive(&machine, heads) == [
                .informational(100), .informational(103), .head(200), .body("ok"), .ended(reusable: true, close: false),
            ])
    }

    @Test func theSeventeenthInformationalHeadFails() {
        var machine = Self.started()
        let flood = String(repeating: "HTTP/1.1 102 Processing\r\n\r\n", count: Machine.maxInformationalHeads + 1)
        let allowed = [Step](repeating: .informational(102), count: Machine.maxInformationalHeads)
        #expect(Self.receive(&machine, flood + Self.ok) == allowed + [.failed(.invalidResponse, close: true)])
    }

    @Test func theInformationalCountStartsAfreshWithEachRequest() {
        var machine = Self.started()
        let some = String(repeating: "HTTP/1.1 102 Processing\r\n\r\n", count: Machine.maxInformationalHeads)
        #expect(Self.receive(&machine, some + Self.ok).suffix(1) == [.ended(reusable: true, close: false)])
        _ = machine.requestStarted(requestWasHead: false, webSocket: false)
        #expect(Self.receive(&machine, some + Self.ok).suffix(1) == [.ended(reusable: true, close: false)])
    }

    // MARK: - WebSocket upgrades

    @Test func a101WithoutAWebSocketRequestFails() {
        var machine = Self.started()
        #expect(Self.receive(&machine, Self.upgrade) == [.failed(.invalidResponse, close: true)])
    }

    @Test func a101ToAnotherProtocolFails() {
        var machine = Self.started(webSocket: true)
        let h2c = "HTTP/1.1 101 Switching Protocols\r\nupgrade: h2c\r\nconnection: upgrade\r\n\r\n"
        #expect(Self.receive(&machine, h2c) == [.failed(.invalidResponse, close: true)])
    }

    @Test func anAccepted101HandsOverWithTheBytesReadPastIt() {
        var machine = Self.started(webSocket: true)
        #expect(Self.receive(&machine, Self.upgrade + "\u{1}frame") == [.upgraded(101, early: "\u{1}frame")])
        #expect(!machine.isIdle)
        #expect(Self.step(machine.readComplete()) == nil)
        #expect(Self.step(machine.channelInactive()) == nil)

        var bare = Self.started(webSocket: true)
        #expect(Self.receive(&bare, Self.upgrade) == [.upgraded(101, early: nil)])
    }

    // MARK: - Bodies

    @Test func aContentLengthBodyRunsAcrossReads() {
        var machine = Self.started()
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n"
        #expect(Self.receive(&machine, head + "hello") == [.head(200), .body("hello")])
        #expect(Self.receive(&machine, "wor") == [.body("wor")])
        #expect(Self.receive(&machine, "ld") == [.body("ld"), .ended(reusable: true, close: false)])
        #expect(machine.isIdle)
    }

    /// Sizes and payload pass in their chunk framing; trailer fields and chunk extensions are
    /// left out (they could carry the injected credential back), the pieces around them kept.
    @Test func aChunkedBodyIsForwardedWithItsFramingWithoutTrailersOrExtensions() {
        var machine = Self.started()
        #expect(
            Self.receive(&machine, Self.chunkedHead + "5;k=v\r\nhel") == [.head(200), .body("5"), .body("\r\nhel")])
        #expect(
            Self.receive(&machine, "lo\r\n0\r\nx-t: 1\r\n\r\n") == [
                .body("lo\r\n0\r\n"), .body("\r\n"), .ended(reusable: true, close: false),
            ])
    }

    @Test func anInvalidChunkedBodyFails() {
        var machine = Self.started()
        #expect(
            Self.receive(&machine, Self.chunkedHead + "zz\r\n") == [.head(200), .failed(.invalidResponse, close: true)])
    }

    /// The body read with the head is forwarded after the head's callback, which may have
    /// turned de-chunking on (for an HTTP/1.0 client).
    @Test func aDechunkedBodyIsItsPayloadAloneEvenWhenReadWithTheHead() {
        var machine = Self.started()
        let steps = Self.receive(&machine, Self.chunkedHead + "5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n") {
            $0.dechunkRequested()
        }
        #expect(steps == [.head(200), .body("hello"), .body(" world")])
        #expect(Self.receive(&machine, "\r\n") == [.ended(reusable: true, close: false)])
    }

    @Test func aDechunkedChunkSplitAcrossReadsComesOutInParts() {
        var machine = Self.started()
        #expect(Self.receive(&machine, Self.chunkedHead) { $0.dechunkRequested() } == [.head(200)])
        #expect(Self.receive(&machine, "5\r\nhel") == [.body("hel")])
        #expect(Self.receive(&machine, "lo\r\n") == [.body("lo")])
        #expect(Self.receive(&machine, "0\r\n") == [])
        #expect(Self.receive(&machine, "\r\n") == [.ended(reusable: true, close: false)])
    }

    @Test func aBodyUntilCloseEndsWithTheChannelUnreusable() {
        var machine = Self.started()
        #expect(Self.receive(&machine, "HTTP/1.1 200 OK\r\n\r\nstream") == [.head(200), .body("stream")])
        #expect(Self.receive(&machine, "ing") == [.body("ing")])
        #expect(Self.step(machine.channelInactive()) == .ended(reusable: false, close: false))
        #expect(!machine.isIdle)
    }

    @Test func responsesWithoutABodyEndAtOnce() {
        var head = Self.started(requestWasHead: true)
        #expect(
            Self.receive(&head, "HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n") == [
                .head(200), .ended(reusable: true, close: false),
            ])
        for (status, reason) in [(204, "No Content"), (304, "Not Modified")] {
            var machine = Self.started()
            #expect(
                Self.receive(&machine, "HTTP/1.1 \(status) \(reason)\r\ncontent-length: 10\r\n\r\n") == [
                    .head(status), .ended(reusable: true, close: false),
                ])
        }
    }

    @Test func bytesAfterACompleteResponseMakeItUnreusableAndClose() {
        var machine = Self.started()
        #expect(
            Self.receive(&machine, Self.ok + "HTTP/1.1") == [
                .head(200), .body("ok"), .ended(reusable: false, close: true),
            ])
        #expect(!machine.isIdle)

        var empty = Self.started()
        #expect(
            Self.receive(&empty, "HTTP/1.1 204 No Content\r\n\r\nx") == [
                .head(204), .ended(reusable: false, close: true),
            ])
    }

    @Test func connectionCloseMakesTheResponseUnreusable() {
        var machine = Self.started()
        let head = "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok"
        #expect(Self.receive(&machine, head) == [.head(200), .body("ok"), .ended(reusable: false, close: false)])
    }

    // MARK: - Closing

    @Test func aCloseBeforeTheResponseIsCompleteFails() {
        var awaiting = Self.started()
        #expect(Self.receive(&awaiting, "HTTP/1.1 200") == [])
        #expect(Self.step(awaiting.channelInactive()) == .failed(.closed, close: false))

        var midBody = Self.started()
        #expect(Self.receive(&midBody, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nab") == [.head(200), .body("ab")])
        #expect(Self.step(midBody.channelInactive()) == .failed(.closed, close: false))

        var chunked = Self.started()
        _ = Self.receive(&chunked, Self.chunkedHead)
        #expect(Self.step(chunked.channelInactive()) == .failed(.closed, close: false))
    }

    @Test func anIdleConnectionClosingFailsNothing() {
        var machine = Machine()
        #expect(Self.step(machine.channelInactive()) == nil)
        #expect(!machine.isIdle)
    }

    @Test func readingWaitsForTheSinkOnlyDuringABody() {
        var machine = Machine()
        #expect(Self.step(machine.readComplete()) == .read)
        _ = machine.requestStarted(requestWasHead: false, webSocket: false)
        #expect(Self.step(machine.readComplete()) == .read)
        #expect(Self.step(machine.readBurstEnded(sinkAccepts: true)) == nil)
        _ = Self.receive(&machine, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nab")
        #expect(Self.step(machine.readComplete()) == .endReadBurst)
        #expect(Self.step(machine.readBurstEnded(sinkAccepts: true)) == .read)
        #expect(Self.step(machine.readBurstEnded(sinkAccepts: false)) == nil)
        _ = machine.abandon()
        #expect(Self.step(machine.readComplete()) == nil)
        #expect(Self.step(machine.readBurstEnded(sinkAccepts: true)) == nil)
    }

    @Test func abandonClosesFromEveryState() {
        let idle = Machine()
        let awaiting = Self.started()
        var body = Self.started()
        _ = Self.receive(&body, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nab")
        var closed = Machine()
        _ = closed.channelInactive()
        for machine in [idle, awaiting, body, closed] {
            var machine = machine
            #expect(Self.step(machine.abandon()) == .close)
            #expect(!machine.isIdle)
            // Nothing more is reported: the sink was told by whoever abandoned.
            #expect(Self.step(machine.channelInactive()) == nil)
            #expect(Self.receive(&machine, "late") == [.close])
        }
    }

    /// A sink that gives the connection up in its head callback stops the body read with it.
    @Test func abandoningOnTheHeadStopsTheRest() {
        var machine = Self.started()
        #expect(Self.receive(&machine, Self.ok + "junk") { _ = $0.abandon() } == [.head(200)])
        #expect(Self.step(machine.nextAction()) == nil)
    }

    @Test func completedResponsesAreCounted() {
        var machine = Machine()
        #expect(machine.completedResponses == 0)
        for _ in 0..<2 {
            _ = machine.requestStarted(requestWasHead: false, webSocket: false)
            _ = Self.receive(&machine, Self.ok)
        }
        #expect(machine.completedResponses == 2)
        _ = machine.requestStarted(requestWasHead: false, webSocket: false)
        _ = Self.receive(&machine, "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nab")
        _ = machine.channelInactive()
        #expect(machine.completedResponses == 2)
    }
}
