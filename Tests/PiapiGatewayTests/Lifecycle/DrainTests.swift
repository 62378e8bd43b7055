import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PiapiGateway
import PiapiTestSupport
import Testing

/// `GatewayServer.drain` over real sockets: it ends when the last connection closes (not on a
/// clock), closes what is still busy at its timeout, and serves no connection it should not.
@Suite struct DrainTests {
    /// A gateway in front of an upstream that sends `data: a`, then waits for `release` to send
    /// `data: b` and end the stream; and one client connection whose request got `data: a`.
    struct InFlight {
        let release: EventLoopPromise<Void>
        let stub: StubUpstream
        let gateway: GatewayHarness
        let busy: TestConnection

        static func start(configure: (inout GatewayConfiguration) -> Void = { _ in }) async throws -> InFlight {
            let release = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
            let stub = try await StubUpstream { _ in
                .stream(first: "data: a\n\n", release: release.futureResult, rest: ["data: b\n\n"])
            }
            let gateway = try await GatewayHarness.start(
                table: GatewayHarness.table(upstreamPort: stub.port), configure: configure)
            let busy = try await TestConnection(port: gateway.port)
            try await busy.send(
                "GET /piapi/codex/s HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n")
            try await busy.waitFor { bytes, _ in TestConnection.find(Array("data: a".utf8), in: bytes) != nil }
            return InFlight(release: release, stub: stub, gateway: gateway, busy: busy)
        }

        func close() async {
            release.succeed()
            await busy.close()
            await stub.close()
        }
    }

    /// An idle keep-alive connection that answered once: the drain closes it at once, and once
    /// it is closed the listener is closed too (the quiescing helper closes the listener first).
    static func idleConnection(port: Int) async throws -> TestConnection {
        let idle = try await TestConnection(port: port)
        try await idle.send("GET /healthz HTTP/1.1\r\n\r\n")
        #expect(try await idle.readResponse().text == "ok")
        return idle
    }

    @Test func drainReturnsOnceTheLastRequestFinishesNotAtItsTimeout() async throws {
        let flight = try await InFlight.start()
        let idle = try await Self.idleConnection(port: flight.gateway.port)
        let drainedAt = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
        let drain = Task {
            await flight.gateway.server.drain(timeout: .seconds(60))
            drainedAt.withLockedValue { $0 = .now }
        }
        try await idle.waitForClose()
        try await Task.sleep(for: .milliseconds(200))
        #expect(drainedAt.withLockedValue { $0 } == nil)  // the request in flight holds it
        let releasedAt = ContinuousClock.now
        flight.release.succeed()
        let response = try await flight.busy.readResponse()
        #expect(response.text == "data: a\n\ndata: b\n\n")
        await drain.value
        let waited = try #require(drainedAt.withLockedValue { $0 }) - releasedAt
        #expect(waited < .seconds(5))  // the 60 s timeout played no part
        #expect(flight.gateway.server.openConnections == 0)
        await flight.close()
    }

    @Test func aConnectionStillBusyAtTheTimeoutIsClosed() async throws {
        let flight = try await InFlight.start()
        let started = ContinuousClock.now
        await flight.gateway.server.drain(timeout: .milliseconds(300))
        #expect(ContinuousClock.now - started >= .milliseconds(300))
        try await flight.busy.waitForClose()
        #expect(!flight.busy.received("data: b"))
        #expect(flight.gateway.server.openConnections == 0)
        await flight.close()
    }

    @Test func connectionsOverTheLimitAndAfterTheDrainStartedAreNotServed() async throws {
        let flight = try await InFlight.start { $0.maxConnections = 2 }
        let port = flight.gateway.port
        let idle = try await Self.idleConnection(port: port)
        let overLimit = try await TestConnection(port: port)
        try await overLimit.waitForClose()
        #expect(flight.gateway.server.openConnections == 2)

        async let drained: Void = flight.gateway.server.drain(timeout: .seconds(60))
        try await idle.waitForClose()
        await #expect(throws: (any Error).self) {
            let late = try await TestConnection(port: port)
            try await late.send("GET /healthz HTTP/1.1\r\n\r\n")
            _ = try await late.readResponse()
        }
        flight.release.succeed()
        #expect(try await flight.busy.readResponse().text == "data: a\n\ndata: b\n\n")
        await drained
        #expect(flight.gateway.server.openConnections == 0)
        await overLimit.close()
        await flight.close()
    }
}
