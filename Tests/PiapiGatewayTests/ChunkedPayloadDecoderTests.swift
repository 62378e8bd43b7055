import Testing

@testable import PiapiGateway

/// Chunk framing taken off a chunked body on the fly (for HTTP/1.0 clients).
@Suite struct ChunkedPayloadDecoderTests {
    private static func dechunk(_ pieces: [String]) -> String {
        var decoder = ChunkedPayloadDecoder()
        var payload: [UInt8] = []
        for piece in pieces {
            Array(piece.utf8).withUnsafeBytes { bytes in
                #expect(decoder.decode(bytes) { payload.append(contentsOf: bytes[$0]) })
            }
        }
        return String(decoding: payload, as: UTF8.self)
    }

    @Test func chunkFramingExtensionsAndTrailersAreTakenOff() {
        #expect(Self.dechunk(["5\r\nhello\r\n6;a=\"b\"\r\n world\r\n0\r\nx-t: 1\r\nx-u: 2\r\n\r\n"]) == "hello world")
        #expect(Self.dechunk(["A\r\n0123456789\r\n0\r\n\r\n"]) == "0123456789")
    }

    @Test func theDecoderKeepsItsPlaceAcrossAnySplit() {
        let body = "3\r\nabc\r\n10;e=1\r\n0123456789abcdef\r\n0\r\nx: y\r\n\r\n"
        for cut in 0...body.utf8.count {
            let bytes = Array(body.utf8)
            let pieces = [
                String(decoding: bytes[..<cut], as: UTF8.self), String(decoding: bytes[cut...], as: UTF8.self),
            ]
            #expect(Self.dechunk(pieces) == "abc0123456789abcdef")
        }
        #expect(Self.dechunk(body.map { String($0) }) == "abc0123456789abcdef")
    }
}
