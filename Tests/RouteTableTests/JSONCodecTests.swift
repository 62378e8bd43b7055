import Foundation
import RouteTable
import Testing

@Suite struct JSONCodecTests {
    @Test func roundTripAndSameIdentityAsBinary() throws {
        let table = try SampleTables.small()
        let json = JSONTableCodec.encode(table)
        let decoded = try JSONTableCodec.decode(json)
        #expect(decoded == table)
        #expect(decoded.contentHash == table.contentHash)
        #expect(try BinaryTableDecoder.decode(BinaryTableEncoder.encode(table)).contentHash == decoded.contentHash)
        #expect(JSONTableCodec.encode(decoded) == json)
    }

    @Test func jsonIsReadableAndKeepsReferencesByName() throws {
        let text = String(decoding: JSONTableCodec.encode(try SampleTables.small()), as: UTF8.self)
        #expect(text.contains("\"format\" : \"piapi-route-table\""))
        #expect(text.contains("\"env\" : \"ALPHA_BACKUP_KEY\""))
        #expect(text.contains("\"strategy\" : \"weighted_rr\""))
        #expect(!text.contains("piapi-user-alice"), "user keys are stored only as digests")
    }

    @Test func malformedJSONTablesAreErrors() throws {
        let good = String(decoding: JSONTableCodec.encode(try SampleTables.small()), as: UTF8.self)
        let bad = [
            "{",
            "{}",
            good.replacingOccurrences(of: "\"weighted_rr\"", with: "\"random\""),
            good.replacingOccurrences(of: "\"version\" : 2", with: "\"version\" : 9"),
            good.replacingOccurrences(of: "\"port\" : 443", with: "\"port\" : 70000"),
            good.replacingOccurrences(of: "\"target\" : 2", with: "\"target\" : 99"),
            good.replacingOccurrences(of: "\"env\" : \"ALPHA_BACKUP_KEY\"", with: "\"env\" : \"1BAD\""),
        ]
        for text in bad {
            #expect(throws: TableError.self) { try JSONTableCodec.decode(Array(text.utf8)) }
        }
    }

    @Test func errorsNeverQuoteTheFile() throws {
        let good = String(decoding: JSONTableCodec.encode(try SampleTables.small()), as: UTF8.self)
        let broken = good.replacingOccurrences(of: "\"Bearer sk-alpha-secret\"", with: "42")
        do {
            _ = try JSONTableCodec.decode(Array(broken.utf8))
            Issue.record("a literal of the wrong type must be rejected")
        } catch {
            #expect(!error.description.contains("sk-alpha"))
        }
    }
}
