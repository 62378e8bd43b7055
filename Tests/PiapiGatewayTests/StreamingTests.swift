import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import PiapiTestSupport
import Testing

@testable import PiapiGateway

@Suite struct StreamingTests {
    @Test func serverSentEventsArriveBeforeTheStreamEnds() async throws {
        let release = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let stub = try await StubUpstream { _ in
            .stream(
                first: "data: first\n\n", release: release.futureResult, rest: ["data: second\n\n", "data: [DONE]\n\n"])
        }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "POST /piapi/codex/stream HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\ncontent-length: 2\r\n\r\n{}"
        )
        // The upstream holds back everything after the first event until we saw it.
        try await connection.waitFor { bytes, _ in TestConnection.find(Array("data: first".utf8), in: bytes) != nil }
        #expect(!connection.received("data: second"))
        release.succeed()
        let response = try await connection.readResponse()
        #expect(response.status == 200)
        #expect(response.header("content-type") == "text/event-stream")
        #expect(response.text == "data: first\n\ndata: second\n\ndata: [DONE]\n\n")
        await connection.close()
        await gateway.stop()
        await stub.close()
    }

    @Test func largeBodiesPassIntactBothWays() async throws {
        let stub = try await StubUpstream { received in
            received.uri.hasSuffix("/download")
                ? .large(count: 16 << 20)
                : .respond(status: 200, headers: [], body: Array(received.bodySHA256.utf8))
        }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let upload = (0..<(8 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            Array(
                "POST /piapi/codex/upload HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\ncontent-length: \(upload.count)\r\n\r\n"
                    .utf8) + upload)
        let uploaded = try await connection.readResponse(seconds: 60)
        #expect(uploaded.status == 200)
        #expect(uploaded.text == TestHex.sha256(upload))
        #expect(stub.received.first?.bodyCount == upload.count)

        try await connection.send(
            "GET /piapi/codex/download HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n")
        let downloaded = try await connection.readResponse(seconds: 60)
        #expect(downloaded.status == 200)
        #expect(downloaded.body.count == 16 << 20)
        #expect(TestHex.sha256(downloaded.body) == TestHex.sha256(StubUpstream.largeBody(count: 16 << 20)))
        await connection.close()
        await gateway.stop()
        await stub.close()
    }

    @Test func chunkedUploadIsForwarded() async throws {
        let stub = try await StubUpstream { received in .respond(status: 200, headers: [], body: received.body) }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await TestConnection.request(
            port: gateway.port,
            "POST /piapi/codex/c HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n\r\n"
        )
        #expect(response.status == 200)
        #expect(response.text == "hello world")
        await gateway.stop()
        await stub.close()
    }

    @Test func upstreamConnectionsAreReusedAcrossRequests() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let connection = try await TestConnection(port: gateway.port)
        for i in 0..<5 {
            try await connection.send(
                "GET /piapi/codex/\(i) HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "Bearer sk-alpha /v1/\(i)")
        }
        #expect(stub.received.count == 5)
        #expect(stub.acceptedConnections == 1)
        await connection.close()
        await gateway.stop()
        await stub.close()
    }

    @Test func requestIsResentWhenAReusedConnectionHangsUp() async throws {
        // The stub hangs up on the first delivery of /second only.
        let hungUp = NIOLockedValueBox(false)
        let flaky = try await StubUpstream { received in
            if received.uri.hasSuffix("/second"), !hungUp.withLockedValue({ $0 }) {
                hungUp.withLockedValue { $0 = true }
                return .hangUp
            }
            return echoResponder(received)
        }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: flaky.port))
        let connection = try await TestConnection(port: gateway.port)
        for path in ["first", "second"] {
            try await connection.send(
                "GET /piapi/codex/\(path) HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n")
            let response = try await connection.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "Bearer sk-alpha /v1/\(path)")
        }
        #expect(flaky.received.count == 3)
        #expect(flaky.acceptedConnections == 2)
        await connection.close()
        await gateway.stop()
        await flaky.close()
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let connection = try await TestConnection(port: gateway.port)
        var burst = ""
        for i in 0..<4 {
            burst += "GET /piapi/codex/p\(i) HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n"
        }
        burst += "GET /healthz HTTP/1.1\r\n\r\n"
        try await connection.send(burst)
        for i in 0..<4 {
            #expect(try await connection.readResponse().text == "Bearer sk-alpha /v1/p\(i)")
        }
        #expect(try await connection.readResponse().text == "ok")
        await connection.close()
        await gateway.stop()
        await stub.close()
    }

    @Test func clientLeavingMidStreamClosesTheUpstreamConnection() async throws {
        let release = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let stub = try await StubUpstream { _ in
            .stream(first: "data: first\n\n", release: release.futureResult, rest: ["data: late\n\n"])
        }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "GET /piapi/codex/stream HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n")
        try await connection.waitFor { bytes, _ in TestConnection.find(Array("data: first".utf8), in: bytes) != nil }
        #expect(stub.closedConnections == 0)
        await connection.close()
        let end = ContinuousClock.now + .seconds(10)
        while stub.closedConnections == 0, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(5)) }
        #expect(stub.closedConnections == 1)
        release.succeed()
        await gateway.stop()
        let record = try #require(gateway.telemetry.records.first)
        #expect(record.error == "client disconnected")
        await stub.close()
    }

    @Test func clientLeavingAfterDoneKeepsTheUsageWhole() async throws {
        // The OpenAI SDKs close the connection as soon as they read `data: [DONE]`, before the
        // chunked body's last chunk: the usage already passed whole and is not `partial`.
        let release = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let stub = try await StubUpstream { _ in
            .stream(first: FixturesOpenAIChat.stream, release: release.futureResult, rest: [])
        }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "POST /piapi/codex/v1/chat/completions HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\ncontent-length: 2\r\n\r\n{}"
        )
        try await connection.waitFor { bytes, _ in TestConnection.find(Array("data: [DONE]\n\n".utf8), in: bytes) != nil
        }
        await connection.close()
        let end = ContinuousClock.now + .seconds(10)
        while stub.closedConnections == 0, ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(5)) }
        release.succeed()
        await gateway.stop()
        let record = try #require(gateway.telemetry.records.first)
        #expect(record.error == "client disconnected")
        #expect(record.usage == FixturesOpenAIChat.streamReport)
        await stub.close()
    }
}
