import NIOCore
import PiapiTestSupport
import Testing

@testable import PiapiGateway

/// Upstream responses are framed strictly (RFC 9112 §6, contract §6): `Transfer-Encoding`
/// is a list of codings whose final one must be exactly `chunked`, conflicting lengths are
/// refused, and a length sent beside `Transfer-Encoding` is not passed on.
@Suite struct UpstreamFramingTests {
    /// How `ResponseHead` frames a 200 whose head carries `headers`.
    private static func framing(_ headers: String, version: String = "HTTP/1.1") -> String {
        guard
            let head = ResponseHead(
                parsing: ByteBuffer(string: "\(version) 200 OK\r\n\(headers)\r\n"), requestWasHead: false)
        else {
            return "invalid"
        }
        switch head.framing {
        case .chunked: return "chunked"
        case .length(let n): return "length \(n)"
        case .untilClose: return "until close"
        case .none: return "none"
        }
    }

    @Test(arguments: [
        ("transfer-encoding: chunked\r\n", "chunked"),
        ("Transfer-Encoding: CHUNKED\r\n", "chunked"),
        ("transfer-encoding: gzip, chunked\r\n", "chunked"),
        ("transfer-encoding: gzip\r\ntransfer-encoding: chunked\r\n", "chunked"),
        ("transfer-encoding: gzip ,, chunked \r\n", "chunked"),
        ("content-length: 5\r\n", "length 5"),
        ("content-length: 5\r\ncontent-length: 5\r\n", "length 5"),
        ("", "until close"),
        // A suffix is not the token: `xchunked` is an unknown coding.
        ("transfer-encoding: xchunked\r\n", "invalid"),
        ("transfer-encoding: gzip,xchunked\r\n", "invalid"),
        ("transfer-encoding: chunked;x=1\r\n", "invalid"),
        // Every Transfer-Encoding line counts, not only the last one.
        ("transfer-encoding: chunked\r\ntransfer-encoding: gzip\r\n", "invalid"),
        ("transfer-encoding: chunked, gzip\r\n", "invalid"),
        ("transfer-encoding: identity\r\n", "invalid"),
        ("transfer-encoding: \r\n", "invalid"),
        // Chunked may be applied once only.
        ("transfer-encoding: chunked, chunked\r\n", "invalid"),
        ("content-length: 5\r\ncontent-length: 6\r\n", "invalid"),
        ("content-length: 5x\r\n", "invalid"),
        ("content-length: -1\r\n", "invalid"),
        // Transfer-Encoding overrides Content-Length (which is then not passed on).
        ("transfer-encoding: chunked\r\ncontent-length: 5\r\n", "chunked"),
    ])
    func framingFollowsRFC9112(headers: String, expected: String) {
        #expect(Self.framing(headers) == expected)
    }

    /// Found by the review: `HTTP/1.1 2000 OK` was logged as 200 and forwarded raw (no client
    /// parses it), and an ESC in the reason phrase reached the client.
    @Test(arguments: [
        "HTTP/1.1 2000 OK", "HTTP/1.1 5030 Busy", "HTTP/1.1 200 O\u{1B}K", "HTTP/1.1 200 a\u{7F}",
        "HTTP/1.1 200x", "HTTP/1.1 20 OK",
    ])
    func aStatusLineWithoutThreeDigitsOrWithControlBytesIsInvalid(line: String) {
        #expect(
            ResponseHead(parsing: ByteBuffer(string: line + "\r\ncontent-length: 0\r\n\r\n"), requestWasHead: false)
                == nil)
    }

    @Test(arguments: ["HTTP/1.1 200 OK", "HTTP/1.1 200 ", "HTTP/1.1 200", "HTTP/1.1 404 Not\tFound caf\u{E9}"])
    func aStatusLineWithThreeDigitsAndAnyPrintableReasonIsValid(line: String) {
        #expect(
            ResponseHead(parsing: ByteBuffer(string: line + "\r\ncontent-length: 0\r\n\r\n"), requestWasHead: false)
                != nil)
    }

    @Test func anHTTP10ResponseWithTransferEncodingIsInvalid() {
        // RFC 9112 §6.1: such a message's framing is faulty.
        #expect(Self.framing("transfer-encoding: chunked\r\n", version: "HTTP/1.0") == "invalid")
        #expect(Self.framing("content-length: 2\r\n", version: "HTTP/1.0") == "length 2")
    }

    @Test func aLengthBesideTransferEncodingAlsoClosesTheUpstreamConnection() throws {
        let head = try #require(
            ResponseHead(
                parsing: ByteBuffer(
                    string: "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n"),
                requestWasHead: false))
        #expect(head.closesConnection)
    }

    /// Sends one request for alice through a gateway in front of a raw upstream answering `reply`.
    private func exchange(_ reply: String) async throws -> TestConnection.Response {
        let upstream = try await RawUpstream(always: reply, close: true)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: upstream.port))
        let response = try await gateway.request("GET", "/piapi/codex/x", key: GatewayHarness.aliceKey)
        await gateway.stop()
        await upstream.close()
        return response
    }

    @Test(arguments: [
        "transfer-encoding: xchunked\r\n",
        "transfer-encoding: chunked\r\ntransfer-encoding: gzip\r\n",
        "transfer-encoding: chunked, gzip\r\n",
        "content-length: 5\r\ncontent-length: 6\r\n",
    ])
    func looselyFramedResponsesAnswer502(headers: String) async throws {
        let response = try await exchange("HTTP/1.1 200 OK\r\n\(headers)\r\n5\r\nhello\r\n0\r\n\r\n")
        #expect(response.status == 502)
        #expect(response.text.contains("\"type\":\"bad_gateway\""))
    }

    @Test func contentLengthBesideTransferEncodingIsNotForwarded() async throws {
        let response = try await exchange(
            "HTTP/1.1 200 OK\r\ncontent-length: 3\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
        #expect(response.status == 200)
        #expect(response.header("content-length") == nil)
        #expect(response.header("transfer-encoding") == "chunked")
        #expect(response.text == "hello")
    }
}
