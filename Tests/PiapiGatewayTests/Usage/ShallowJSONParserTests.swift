import Testing

@testable import PiapiGateway

/// The tap's JSON parser: strict about syntax, exact about integers, shallow about what it keeps.
@Suite struct ShallowJSONParserTests {
    static func parse(_ text: String) -> ShallowJSON? {
        text.utf8Bytes.withUnsafeBytes { ShallowJSONParser.parse($0) }
    }

    @Test func keepsObjectsStringsAndIntegers() {
        let value = Self.parse(
            #" { "a": {"b": 12, "c": "x\"\u00e9\ud83d\ude00", "d": null}, "e": [1, {"f": 2}], "g": true } "#)
        #expect(value?["a"]?["b"] == .integer(12))
        #expect(value?["a"]?["c"] == .string("x\"é😀"))
        #expect(value?["a"]?["d"] == .null)
        #expect(value?["e"] == .other)
        #expect(value?["g"] == .other)
    }

    @Test(arguments: [
        ("0", ShallowJSON.integer(0)), ("-0", .integer(0)), ("-12", .integer(-12)),
        ("9007199254740993", .integer(9_007_199_254_740_993)),
        ("9223372036854775807", .integer(Int.max)),
        ("9223372036854775808", .other), ("99999999999999999999999", .other),
        ("12.0", .other), ("1e3", .other), ("1E-3", .other), ("1e400", .other),
        ("false", .other), ("null", .null), ("\"12\"", .string("12")),
    ])
    func scalars(text: String, expected: ShallowJSON) {
        #expect(Self.parse(text) == expected)
    }

    @Test(arguments: [
        "", " ", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "[1,]", "[1 2]", "{\"a\":1 \"b\":2}", "01", "-",
        "1.", ".5", "1e", "+1", "tru", "nul", "\"abc", "\"a\\x\"", "\"\\u12\"", "\"a\u{01}\"", "{} {}", "{'a':1}",
        "NaN", "[", "{\"a\":[}", "\u{FEFF}{}",
    ])
    func rejects(text: String) {
        #expect(Self.parse(text) == nil)
    }

    @Test func deepValuesAreValidatedButNotKept() {
        let value = Self.parse(#"{"a":{"b":{"c":{"d":{"e":1}, "n": 3}}}}"#)
        #expect(value?["a"]?["b"]?["c"]?["n"] == .integer(3))
        #expect(value?["a"]?["b"]?["c"]?["d"] == .other)
        #expect(Self.parse(#"{"a":{"b":{"c":{"d":{"e":}}}}}"#) == nil)
    }

    @Test func longStringsAndKeysAreNotKept() {
        let long = String(repeating: "m", count: ShallowJSONParser.maxKeptStringBytes + 1)
        let longKey = String(repeating: "k", count: ShallowJSONParser.maxKeptKeyBytes + 1)
        let value = Self.parse("{\"model\":\"\(long)\",\"\(longKey)\":{\"x\":1},\"ok\":1}")
        #expect(value?["model"] == .other)
        #expect(value?["ok"] == .integer(1))
        #expect(value.map { if case .object(let members) = $0 { members.count } else { 0 } } == 2)
    }

    @Test func duplicateMembersTakeTheLastValue() {
        #expect(Self.parse(#"{"a":1,"a":2}"#)?["a"] == .integer(2))
    }

    @Test func hostileNestingIsRefusedWithoutOverflowingTheStack() {
        for open in ["[", "{\"a\":"] {
            let depth = 200_000
            let text = String(repeating: open, count: depth)
            #expect(Self.parse(text) == nil)
        }
        let allowed =
            String(repeating: "[", count: ShallowJSONParser.maxDepth - 1)
            + String(repeating: "]", count: ShallowJSONParser.maxDepth - 1)
        #expect(Self.parse(allowed) == .other)
        let tooDeep =
            String(repeating: "[", count: ShallowJSONParser.maxDepth + 1)
            + String(repeating: "]", count: ShallowJSONParser.maxDepth + 1)
        #expect(Self.parse(tooDeep) == nil)
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() {
        #expect(Self.parse(#""\ud800x""#) == .string("\u{FFFD}x"))
        #expect(Self.parse(#""\udc00""#) == .string("\u{FFFD}"))
    }
}
