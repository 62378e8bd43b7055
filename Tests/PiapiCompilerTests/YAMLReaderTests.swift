import PiapiCompiler
import Testing

/// The libyaml reader: positions, duplicate keys, and hostile input refused with one error.
struct YAMLReaderTests {
    private func read(_ text: String, reader: YAMLReader = YAMLReader()) -> YAMLReader.Result {
        reader.read(Array(text.utf8))
    }

    @Test func nodesAndKeysKeepTheirOneBasedPositions() throws {
        let result = read("a:\n  b: [x, \"y\"]\n")
        let root = try #require(result.root)
        guard case .mapping(let entries) = root.content else {
            Issue.record("root is not a mapping")
            return
        }
        #expect(entries[0].keyLocation == SourceLocation(line: 1, column: 1))
        guard case .mapping(let inner) = entries[0].value.content else {
            Issue.record("a is not a mapping")
            return
        }
        #expect(inner[0].keyLocation == SourceLocation(line: 2, column: 3))
        guard case .sequence(let items) = inner[0].value.content else {
            Issue.record("b is not a sequence")
            return
        }
        #expect(inner[0].value.location == SourceLocation(line: 2, column: 6))
        #expect(items.map(\.location) == [SourceLocation(line: 2, column: 7), SourceLocation(line: 2, column: 10)])
        guard case .scalar(let plain) = items[0].content, case .scalar(let quoted) = items[1].content else {
            Issue.record("items are not scalars")
            return
        }
        #expect(plain.isPlain && plain.text == "x")
        #expect(!quoted.isPlain && quoted.text == "y")
    }

    @Test func aDuplicateKeyIsReportedAtTheSecondKey() {
        let result = read("a: 1\nb: 2\na: 3\n")
        #expect(result.root != nil)
        #expect(
            result.diagnostics == [
                Diagnostic(
                    .error, at: SourceLocation(line: 3, column: 1),
                    "duplicate key 'a' in this mapping (first at line 1)")
            ])
    }

    static let hostile: [(name: String, bytes: [UInt8], line: Int, column: Int, message: String)] = [
        (
            "billion laughs",
            Array(
                "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                    .utf8),
            2, 8, "YAML aliases (*name) are not supported"
        ),
        (
            "10,000-deep nesting",
            Array((String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)).utf8),
            1, 65, "nests deeper than 64 levels"
        ),
        ("non-UTF-8", Array("a: ok\nb: caf".utf8) + [0xE9, 0x0A], 2, 7, "not valid UTF-8"),
        ("binary garbage", [0x00, 0xFF, 0xFE, 0x01, 0x80, 0x7F, 0xC3], 1, 2, "not valid UTF-8"),
        ("control characters", Array("a: b\u{0}c\n".utf8), 1, 5, "control characters are not allowed"),
        ("empty file", [], 1, 1, "the config is empty"),
        ("comments only", Array("# nothing here\n".utf8), 1, 1, "the config is empty"),
        ("multiple documents", Array("a: 1\n---\nb: 2\n".utf8), 2, 1, "more than one YAML document"),
        ("tags", Array("a: !!str 1\n".utf8), 1, 4, "YAML tags are not supported"),
        ("syntax error", Array("a: [1, 2\nb: 3\n".utf8), 2, 2, "YAML syntax error: did not find expected ',' or ']'"),
        ("unterminated quote", Array("a: \"open\n".utf8), 2, 1, "YAML syntax error: found unexpected end of stream"),
    ]

    @Test(arguments: hostile)
    func hostileInputGivesOneError(_ name: String, _ bytes: [UInt8], _ line: Int, _ column: Int, _ message: String) {
        let result = YAMLReader().read(bytes)
        #expect(result.root == nil, "\(name)")
        #expect(result.diagnostics.count == 1, "\(name): \(result.diagnostics)")
        #expect(
            result.diagnostics.first?.location == SourceLocation(line: line, column: column),
            "\(name): \(result.diagnostics)")
        #expect(result.diagnostics.first?.message.contains(message) == true, "\(name): \(result.diagnostics)")
    }

    @Test func aFileOverTheSizeLimitIsRefusedBeforeParsing() {
        let bytes = Array("a: 1\n".utf8) + [UInt8](repeating: UInt8(ascii: "#"), count: 5 << 20)
        let result = YAMLReader().read(bytes)
        #expect(result.root == nil)
        #expect(result.diagnostics.count == 1)
        #expect(result.diagnostics.first?.message.contains("larger than the limit of 4194304 bytes") == true)
    }

    @Test func aNonMappingRootIsAConfigError() {
        let outcome = Fixture.compile("- a\n- b\n")
        #expect(
            outcome.diagnostics == [
                Diagnostic(
                    .error, at: SourceLocation(line: 1, column: 1), "the config must be a mapping, found a sequence")
            ])
    }

    @Test func theTenThousandUserConfigCompiles() throws {
        let yaml = BigConfig.make(users: 10_000)
        #expect(yaml.utf8.count > 1_500_000)
        let outcome = Fixture.compile(yaml)
        #expect(outcome.diagnostics.isEmpty)
        let table = try #require(outcome.table)
        #expect(table.users.count == 10_000)
        #expect(table.routeCount == 20_000)
    }
}
