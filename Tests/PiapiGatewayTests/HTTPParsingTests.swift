import NIOCore
import RouteTable
import Testing

@testable import PiapiGateway

@Suite struct HTTPParsingTests {
    @Test func userKeyDigestMatchesTheTableDigest() {
        for key in ["user-key", "", String(repeating: "k", count: 300)] {
            var bytes = Array(key.utf8)
            let digest = bytes.withUnsafeMutableBytes { UserKeyDigest.of(UnsafeRawBufferPointer($0)) }
            #expect(digest == KeyDigest(ofKey: key))
        }
    }

    @Test func generatedRequestIDsAreValidAndDistinct() {
        var generator = RequestIDGenerator()
        var seen = Set<String>()
        for _ in 0..<1000 {
            let id = generator.next()
            var bytes = Array(id.utf8)
            #expect(bytes.withUnsafeMutableBytes { RequestID.isValid(UnsafeRawBufferPointer($0), 0..<$0.count) })
            #expect(id.utf8.count == 32)
            seen.insert(id)
        }
        #expect(seen.count == 1000)
    }

    @Test(arguments: [
        ("5\r\nhello\r\n0\r\n\r\n", ChunkedBodyScanner.Outcome.finished(consumed: 15)),
        ("5;a=b\r\nhello\r\n0\r\nx-trailer: 1\r\n\r\nextra", .finished(consumed: 33)),
        ("5\r\nhel", .forward(6)),
        ("g\r\n", .invalid),
        ("5\r\nhelloX", .invalid),
        ("\r\n", .invalid),
        ("10000000000000000\r\n", .invalid),
    ])
    func chunkedScanner(input: String, expected: ChunkedBodyScanner.Outcome) {
        var scanner = ChunkedBodyScanner()
        let outcome = Array(input.utf8).withUnsafeBytes { scanner.scan($0) }
        #expect(outcome == expected)
    }

    @Test func chunkedScannerAcceptsBytesOneAtATime() {
        var scanner = ChunkedBodyScanner()
        let body = Array("3\r\nabc\r\n0\r\n\r\n".utf8)
        for (i, byte) in body.enumerated() {
            let outcome = [byte].withUnsafeBytes { scanner.scan($0) }
            #expect(outcome == (i == body.count - 1 ? .finished(consumed: 1) : .forward(1)))
        }
    }
}
