import PiapiTestSupport
import Testing

@testable import PiapiGateway

/// `--retry-body-limit` counts body bytes, whatever the framing (§5): a chunked body is
/// replayed when its content fits, framing aside.
@Suite struct ReplayLimitTests {
    /// `count` body bytes in chunks of at most `chunk` bytes, each with `ext` after its size.
    private static func chunked(_ count: Int, chunk: Int, ext: String = "") -> String {
        var body = ""
        var left = count
        while left > 0 {
            let n = min(chunk, left)
            body += String(n, radix: 16) + ext + "\r\n" + String(repeating: "z", count: n) + "\r\n"
            left -= n
        }
        return body + "0\r\n\r\n"
    }

    /// Sends `body` chunked over a two-candidate failover route whose first candidate answers
    /// 500; returns the client's status and, per try, the candidate and the body size it got.
    private func post(_ body: String, limit: Int) async throws -> (status: Int, received: [[Int]]) {
        let fixture = try await FailoverFixture.start()
        fixture.set(0, .status(500))
        let gateway = try await GatewayHarness.start(table: fixture.table(.failover, [.init(), .init()])) {
            $0.retryBodyLimit = limit
        }
        let connection = try await TestConnection(port: gateway.port)
        try await connection.send(
            "POST /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(FailoverFixture.daveKey)\r\n"
                + "transfer-encoding: chunked\r\n\r\n" + body)
        let response = try await connection.readResponse()
        await connection.close()
        await gateway.stop()
        await fixture.close()
        return (response.status, zip(fixture.hits, fixture.stub.received).map { [$0, $1.bodyCount] })
    }

    @Test func aChunkedBodyAtTheLimitIsReplayedWhateverItsFraming() async throws {
        let (status, received) = try await post(Self.chunked(4096, chunk: 700), limit: 4096)
        #expect(status == 200)
        #expect(received == [[0, 4096], [1, 4096]])
    }

    @Test func aChunkedBodyOverTheLimitIsNotReplayed() async throws {
        let (status, received) = try await post(Self.chunked(4097, chunk: 700), limit: 4096)
        #expect(status == 500)
        #expect(received == [[0, 4097]])
    }

    /// Framing is held too, but only up to an allowance (at least 64 KiB): one-byte chunks (five
    /// bytes of framing each) do not make the replay hold many times the limit. Extensions are
    /// not forwarded, so not held either: long ones cost nothing.
    @Test func heavyFramingIsNotHeldBeyondItsAllowance() async throws {
        let (status, received) = try await post(Self.chunked(13_200, chunk: 1), limit: 16_384)
        #expect(status == 500)
        #expect(received == [[0, 13_200]])
        let ext = ";e=" + String(repeating: "x", count: 4000)
        let (extStatus, extReceived) = try await post(Self.chunked(64, chunk: 1, ext: ext), limit: 64)
        #expect(extStatus == 200)
        #expect(extReceived == [[0, 64], [1, 64]])
    }
}
