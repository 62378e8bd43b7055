import Foundation
import PiapiTestSupport
import Testing

/// Pipelining at scale against the real piapi-serve: answers the gateway gives itself are
/// produced in a loop, in order, and only as fast as the client reads them.
@Suite("piapi-serve pipelining")
struct ServePipeliningTests {
    @Test("50,000 pipelined local answers behind a slow proxied request arrive in order; the process lives")
    func pipelinedLocalAnswersBehindASlowRequest() async throws {
        let running = try await ServeTrafficTests.Running.start(events: 5, delayMilliseconds: 200)
        do {
            let count = 50_000
            var raw =
                "GET /piapi/codex/stream HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer \(ServeTrafficTests.userKey)\r\nX-Request-ID: slow\r\n\r\n"
            for i in 0..<count { raw += "GET / HTTP/1.1\r\nX-Request-ID: p\(i)\r\n\r\n" }
            let connection = try await TestConnection(port: running.gatewayPort)
            let payload = Array(raw.utf8)
            let sender = Task { try await connection.send(payload) }
            let last = Array("x-request-id: p\(count - 1)\r\n".utf8)
            try await connection.waitFor(seconds: 180) { bytes, closed in
                closed || TestConnection.find(last, in: bytes, from: max(0, bytes.count - 400)) != nil
            }
            try await sender.value
            #expect(running.process.isRunning)

            let ids = Self.requestIDs(in: connection.receivedBytes)
            #expect(ids.count == count + 1)
            #expect(ids.first == "slow")
            let outOfOrder = zip(ids.dropFirst(), 0..<count).first { $0.0 != "p\($0.1)" }
            #expect(outOfOrder == nil, "first answer out of order: \(String(describing: outOfOrder))")
            await connection.close()
            let health = try await TestConnection.request(
                port: running.gatewayPort, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
            #expect(health.status == 200)
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    @Test("clients that pipeline /metrics and never read do not grow the gateway's memory")
    func clientsThatNeverReadStayBounded() async throws {
        let running = try await ServeTrafficTests.Running.start()
        do {
            for _ in 0..<20 {
                _ = try await TestConnection.request(
                    port: running.gatewayPort, "GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n")
            }
            let before = try #require(residentBytes(of: running.process.processIdentifier))
            let payload = Array(String(repeating: "GET /metrics HTTP/1.1\r\n\r\n", count: 8_000).utf8)
            let clients = try (0..<4).map { _ in try StubbornClient(port: running.gatewayPort) }
            var sent: [Int] = []  // for the failure message: how much each client got in
            for client in clients { sent.append(await client.send(payload, within: 3)) }
            try await Task.sleep(for: .seconds(1))  // time to answer all it read, had it not stopped
            let during = try #require(residentBytes(of: running.process.processIdentifier))
            // Each connection holds at most a write buffer's worth of answers and one read's
            // worth of requests; unbounded, four such clients held hundreds of MB.
            // Under AddressSanitizer freed memory sits in its quarantine: RSS says nothing there.
            if ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil {
                #expect(during - before < 24 * 1024 * 1024, "RSS grew by \(during - before) bytes (sent \(sent))")
            }
            let health = try await TestConnection.request(
                port: running.gatewayPort, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
            #expect(health.status == 200)
            #expect(running.process.isRunning)
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    /// The `x-request-id` values of every response head in `bytes`, in order.
    static func requestIDs(in bytes: [UInt8]) -> [String] {
        let lowered = bytes.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        let needle = Array("\r\nx-request-id: ".utf8)
        var ids: [String] = []
        var from = 0
        while let at = TestConnection.find(needle, in: lowered, from: from) {
            let start = at + needle.count
            var end = start
            while end < bytes.count, bytes[end] != 13 { end += 1 }
            ids.append(String(decoding: bytes[start..<end], as: UTF8.self))
            from = end
        }
        return ids
    }
}
