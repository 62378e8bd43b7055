import Foundation
import NIOCore
import NIOPosix
import PiapiTestSupport
import Testing

@testable import PiapiGateway

@Suite struct UpstreamFailureTests {
    @Test func refusedConnectionAnswers502() async throws {
        let gateway = try await GatewayHarness.start(
            table: GatewayHarness.table(upstreamPort: try await StubUpstream.refusedPort()))
        let response = try await gateway.request(
            "GET", "/piapi/codex/x", key: GatewayHarness.aliceKey,
            headers: ["x-request-id: r-502"])
        #expect(response.status == 502)
        #expect(response.text.contains("\"type\":\"bad_gateway\""))
        #expect(response.text.contains("\"request_id\":\"r-502\""))
        await gateway.stop()
        #expect(gateway.telemetry.records.first?.status == 502)
        #expect(gateway.telemetry.records.first?.upstreamProvider == "alpha")
    }

    @Test func silentUpstreamAnswers504() async throws {
        let stub = try await StubUpstream { _ in .silence }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port)) {
            $0.upstreamTimeout = .milliseconds(300)
        }
        let response = try await gateway.request("GET", "/piapi/codex/x", key: GatewayHarness.aliceKey)
        #expect(response.status == 504)
        #expect(response.text.contains("\"type\":\"gateway_timeout\""))
        #expect(response.header("x-request-id") != nil)
        await gateway.stop()
        await stub.close()
    }

    /// The idle timeout also covers getting an upstream connection, and every test shares the
    /// singleton event loops: at 300 ms a parallel run could starve the connect past it and
    /// get a 504 instead of the stream. Two seconds leave room; the exact timing is proven
    /// with a manual clock in `ClientConnectionStateMachineTests`.
    @Test func silenceMidStreamClosesTheClientAfterTheIdleTimeout() async throws {
        let never = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let stub = try await StubUpstream { _ in
            .stream(first: "data: first\n\n", release: never.futureResult, rest: [])
        }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port)) {
            $0.idleTimeout = .seconds(2)
        }
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "GET /piapi/codex/s HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n")
        try await connection.waitFor { bytes, _ in TestConnection.find(Array("data: first".utf8), in: bytes) != nil }
        try await connection.waitForClose()
        #expect(connection.received("data: first"))
        await gateway.stop()
        #expect(gateway.telemetry.records.first?.error == "upstream timeout")
        never.succeed()
        await stub.close()
    }

    /// Found by the review: a client that stopped sending its body got "504 upstream timeout",
    /// blaming a healthy upstream that was waiting for that body.
    @Test func aClientThatStopsMidBodyGets408NotAnUpstreamTimeout() async throws {
        let stub = try await StubUpstream { _ in .respond(status: 200, headers: [], body: []) }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port)) {
            $0.idleTimeout = .seconds(1)
        }
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "POST /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\ncontent-length: 10\r\n\r\nabc"
        )
        #expect(try await connection.bytesReceived(once: "\r\n\r\n").hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        let response = try await connection.readResponse()
        #expect(response.status == 408)
        #expect(response.text.contains("\"type\":\"request_timeout\""))
        #expect(response.header("connection") == "close")
        await connection.close()
        await gateway.stop()
        #expect(gateway.telemetry.records.first?.status == 408)
        #expect(gateway.telemetry.records.first?.error == "client body timeout")
        #expect(stub.received.isEmpty)  // the upstream never got a whole request
        await stub.close()
    }

    @Test func drainLetsTheRequestInFlightFinish() async throws {
        let release = MultiThreadedEventLoopGroup.singleton.next().makePromise(of: Void.self)
        let stub = try await StubUpstream { _ in
            .stream(first: "data: a\n\n", release: release.futureResult, rest: ["data: b\n\n"])
        }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "GET /piapi/codex/s HTTP/1.1\r\nauthorization: Bearer \(GatewayHarness.aliceKey)\r\n\r\n")
        try await connection.waitFor { bytes, _ in TestConnection.find(Array("data: a".utf8), in: bytes) != nil }
        async let drained: Void = gateway.server.drain(timeout: .seconds(10))
        try await Task.sleep(for: .milliseconds(50))
        release.succeed()
        let response = try await connection.readResponse()
        #expect(response.text == "data: a\n\ndata: b\n\n")
        try await connection.waitForClose()
        await drained
        #expect(gateway.server.openConnections == 0)
        await #expect(throws: (any Error).self) { _ = try await TestConnection(port: gateway.port) }
        await stub.close()
    }

    @Test func tooManyRequestsPassesThroughWithRetryAfter() async throws {
        let stub = try await StubUpstream { _ in
            .respond(
                status: 429, headers: [("retry-after", "17"), ("content-type", "application/json")],
                body: Array("{\"error\":\"slow down\"}".utf8))
        }
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await gateway.request("GET", "/piapi/codex/x", key: GatewayHarness.aliceKey)
        #expect(response.status == 429)
        #expect(response.header("retry-after") == "17")
        #expect(response.text == "{\"error\":\"slow down\"}")
        await gateway.stop()
        await stub.close()
    }

    @Test func tlsUpstreamTrustedThroughTheCAFile() async throws {
        let stub = try await StubUpstream(tls: true, responder: echoResponder)
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "piapi-test-ca-\(UUID().uuidString).pem"
        ).path
        try TestCertificates.caPEM.write(toFile: caFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: caFile) }
        let table = try GatewayHarness.table(upstreamPort: stub.port, scheme: .https, host: "localhost")
        let gateway = try await GatewayHarness.start(table: table) { $0.upstreamCAFile = caFile }
        let response = try await gateway.request("GET", "/piapi/codex/secure", key: GatewayHarness.aliceKey)
        #expect(response.status == 200)
        #expect(response.text == "Bearer sk-alpha /v1/secure")
        #expect(stub.received.first?.headers["host"] == ["localhost:\(stub.port)"])
        await gateway.stop()
        await stub.close()
    }

    @Test func untrustedCertificateAnswers502() async throws {
        let stub = try await StubUpstream(tls: true, responder: echoResponder)
        let table = try GatewayHarness.table(upstreamPort: stub.port, scheme: .https, host: "localhost")
        let gateway = try await GatewayHarness.start(table: table)
        let response = try await gateway.request("GET", "/piapi/codex/secure", key: GatewayHarness.aliceKey)
        #expect(response.status == 502)
        #expect(stub.received.isEmpty)
        await gateway.stop()
        await stub.close()
    }
}
