import PiapiTestSupport
import Testing

@testable import PiapiGateway

/// Chunk extensions must follow RFC 9112 §7.1.1 and stay under 4 KiB per chunk: anything else
/// is an invalid chunked body, never passed on for the upstream to read its own way.
@Suite struct ChunkExtensionTests {
    /// As long as a chunk's extensions may be.
    private static let longValue = String(repeating: "v", count: 4 * 1024)

    @Test(arguments: [
        "5;a", "5;a=b", "5 ;a", "5\t;\ta\t=\tb", "5;a=b;c;d=\"\"", "5;a=\"q \\\" ;x\"", "5;a=b ;c",
        "5;a=\"caf\u{E9}\"", "5;!#$%&'*+-.^_`|~09=AZ", "5;" + Self.longValue.dropFirst(3) + "=v",
    ])
    func wellFormedExtensionsPass(line: String) {
        #expect(Self.scan(line + "\r\nhello\r\n0\r\n\r\n") == .finished(consumed: line.utf8.count + 14))
    }

    @Test(arguments: [
        "5;", "5;;a", "5;=b", "5;a=", "5;a b", "5;a=b c", "5;a=b ", "5;a ", "5 ", "5 a", "5;a=(b)",
        "5;a=\"open", "5;a=\"x\"y", "5;a=\u{1}", "5;a\u{7F}", "5;a=\"\u{1}\"", "5;a=b\u{B}",
        "5;a=" + Self.longValue,
    ])
    func malformedOrLongExtensionsAreInvalid(line: String) {
        #expect(Self.scan(line + "\r\nhello\r\n0\r\n\r\n") == .invalid)
    }

    @Test(arguments: ["5;a b", "5;a=\"open", "5;a=" + Self.longValue])
    func aRequestWithOneAnswers400(line: String) async throws {
        try await expectRefused(
            "POST /piapi/codex/x HTTP/1.1\r\n\(aliceAuthorization)transfer-encoding: chunked\r\n\r\n"
                + line + "\r\nhello\r\n0\r\n\r\n", closes: true)
    }

    private static func scan(_ body: String) -> ChunkedBodyScanner.Outcome {
        var scanner = ChunkedBodyScanner()
        return Array(body.utf8).withUnsafeBytes { scanner.scan($0) }
    }
}
