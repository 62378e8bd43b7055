import PiapiTestSupport
import Testing

@testable import PiapiGateway

/// A request's trailer fields are parsed like header fields and never forwarded: the upstream
/// gets the last chunk followed directly by the final CRLF.
@Suite struct RequestTrailerTests {
    private static let head =
        "POST /piapi/codex/x HTTP/1.1\r\n\(aliceAuthorization)trailer: x-checksum\r\n"
        + "transfer-encoding: chunked\r\n\r\n"

    /// Sends `pieces` (a little apart, so the gateway reads them separately) and returns what
    /// came after the head at the upstream.
    private func upstreamBody(_ pieces: [String]) async throws -> String {
        let upstream = try await ByteRecordingUpstream()
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: upstream.port)) {
            $0.upstreamTimeout = .seconds(5)
        }
        let connection = try await TestConnection(port: gateway.port)
        for piece in pieces {
            try await connection.send(piece)
            try await Task.sleep(for: .milliseconds(50))
        }
        let response = try await connection.readResponse()
        #expect(response.status == 200)
        await connection.close()
        await gateway.stop()
        await upstream.close()
        return upstream.body
    }

    @Test func trailerFieldsAreNotForwarded() async throws {
        let body = try await upstreamBody([
            Self.head + "5\r\nhello\r\n0\r\nx-checksum: abc\r\ncontent-length: 99\r\n\r\n"
        ])
        #expect(body == "5\r\nhello\r\n0\r\n\r\n")
    }

    @Test func trailerFieldsSplitOverReadsAreNotForwarded() async throws {
        let body = try await upstreamBody([
            Self.head + "5\r\nhello\r\n0;last=1\r\nx-che", "cksum: abc\r\nx-more:", " 1\r\n\r", "\n",
        ])
        #expect(body == "5\r\nhello\r\n0\r\n\r\n")  // the extension is left out too
    }

    @Test(arguments: ["no colon here", "x bad: 1", ": empty name", "x-c: a\u{1}b", "x-c: a\u{7F}", "x-c : 1"])
    func aMalformedTrailerAnswers400(line: String) async throws {
        try await expectRefused(Self.head + "5\r\nhello\r\n0\r\n\(line)\r\n\r\n", closes: true)
    }

    /// A request's scanner stops where dropped trailer fields begin and end.
    @Test func theScannerSetsTrailerFieldsApart() {
        var scanner = ChunkedBodyScanner(trailers: .dropped)
        let bytes = Array("5\r\nhello\r\n0\r\nx-a: 1\r\nx-b:\t2\r\n\r\nGET".utf8)
        var offset = 0
        var outcomes: [ChunkedBodyScanner.Outcome] = []
        while offset < bytes.count, outcomes.last != .finished(consumed: 2) {
            let outcome = bytes[offset...].withUnsafeBytes { scanner.scan($0) }
            outcomes.append(outcome)
            if case .forward(let n) = outcome { offset += n }
            if case .drop(let n) = outcome { offset += n }
        }
        #expect(outcomes == [.forward(13), .drop(16), .finished(consumed: 2)])
    }

    /// Byte by byte: each byte of a trailer field is one to drop, each other byte one to forward.
    @Test func trailerFieldsAreSetApartByteByByte() {
        var scanner = ChunkedBodyScanner(trailers: .dropped)
        let body = Array("1\r\na\r\n0\r\nx: 1\r\n\r\n".utf8)
        let outcomes = body.map { byte in [byte].withUnsafeBytes { scanner.scan($0) } }
        #expect(
            outcomes == Array(repeating: .forward(1), count: 9) + Array(repeating: .drop(1), count: 6)
                + [.forward(1), .finished(consumed: 1)])
    }

    /// A malformed trailer already here is refused even while the body before it is still to
    /// be forwarded: nothing of such a request goes upstream.
    @Test func aMalformedTrailerBehindTheBodyIsRefusedAtOnce() {
        var scanner = ChunkedBodyScanner(trailers: .dropped)
        let outcome = Array("5\r\nhello\r\n0\r\nno colon\r\n\r\n".utf8).withUnsafeBytes { scanner.scan($0) }
        #expect(outcome == .invalid)
    }

    /// The gateway's scanner (both ways) also sets chunk extensions apart, the size before them and the
    /// CRLF after them forwarded, in any pieces.
    @Test func aResponseScannerDropsExtensionsAndTrailersInAnyPieces() {
        let body = Array("3;a=b;c\r\nabc\r\n1 ;x=\"q\"\r\nd\r\n0;z\r\nt: 1\r\n\r\n".utf8)
        for piece in [1, 2, 5, body.count] {
            let kept = Self.keptByTheGateway(body, inPiecesOf: piece)
            #expect(
                kept.map { String(decoding: $0, as: UTF8.self) } == "3\r\nabc\r\n1\r\nd\r\n0\r\n\r\n", "piece \(piece)")
        }
    }

    /// Bytes checked ahead once are not checked again, but bytes added after that are: an
    /// error in a later read is still found before anything of that read passes.
    @Test func bytesAddedAfterALookAheadAreCheckedToo() {
        var scanner = ChunkedBodyScanner.framingOnly
        let first = Array("1;a\r\nx\r\n1;b\r\ny\r\n".utf8)
        #expect(first.withUnsafeBytes { scanner.scan($0) } == .forward(1))  // "1", then ";a" to drop
        // The rest of the first read, then a second read appended with a broken chunk.
        let rest = Array(first[1...]) + Array("zz\r\n".utf8)
        var outcomes: [ChunkedBodyScanner.Outcome] = []
        var at = 0
        while at < rest.count {
            let outcome = rest[at...].withUnsafeBytes { scanner.scan($0) }
            outcomes.append(outcome)
            guard case .forward(let n) = outcome else {
                if case .drop(let n) = outcome {
                    at += n
                    continue
                }
                break
            }
            at += n
        }
        #expect(outcomes.first == .invalid)
    }

    /// Many tiny chunks with extensions: every stop is correct (the look ahead is not redone).
    @Test func manyExtensionsInOneReadKeepOnlyTheFraming() {
        let body = Array((String(repeating: "1;e=v\r\nx\r\n", count: 5_000) + "0\r\n\r\n").utf8)
        #expect(
            Self.keptByTheGateway(body, inPiecesOf: body.count)
                == Array((String(repeating: "1\r\nx\r\n", count: 5_000) + "0\r\n\r\n").utf8))
    }

    /// What the gateway's scanner passes of `body` fed in pieces of `piece` bytes (each stop's
    /// rest given again, as the relay does); nil when it finds the body invalid or unfinished.
    private static func keptByTheGateway(_ body: [UInt8], inPiecesOf piece: Int) -> [UInt8]? {
        var scanner = ChunkedBodyScanner.framingOnly
        var kept: [UInt8] = []
        var offset = 0
        while offset < body.count {
            let end = min(body.count, offset + piece)
            var at = offset
            while at < end {
                switch body[at..<end].withUnsafeBytes({ scanner.scan($0) }) {
                case .forward(let n):
                    kept += body[at..<(at + n)]
                    at += n
                case .drop(let n): at += n
                case .finished(let n): return kept + body[at..<(at + n)]
                case .invalid: return nil
                }
            }
            offset = end
        }
        return nil
    }

    @Test(arguments: ["no colon here", "x-c: a\u{B}b"])
    func theScannerRefusesAMalformedTrailer(line: String) {
        var scanner = ChunkedBodyScanner()
        let outcome = Array("0\r\n\(line)\r\n\r\n".utf8).withUnsafeBytes { scanner.scan($0) }
        #expect(outcome == .invalid)
    }
}
