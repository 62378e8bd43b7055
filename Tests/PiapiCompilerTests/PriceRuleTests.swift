import PiapiCompiler
import RouteTable
import Testing

/// Rules for the top-level `prices` block (contract §8): model name → USD per million tokens.
struct PriceRuleTests {
    static let cases: [RuleCase] = [
        RuleCase(
            "prices must be a mapping", Fixture.appending("prices: [gpt-4o]"), at: 29, 9,
            "prices must be a mapping, found a sequence"),
        RuleCase(
            "a price must be a mapping", Fixture.appending("prices:\n  gpt-4o: 3"), at: 30, 11,
            "price of 'gpt-4o' must be a mapping, found a scalar"),
        RuleCase(
            "input is required", Fixture.appending("prices:\n  gpt-4o: { output: 10 }"), at: 30, 11,
            "price of 'gpt-4o' is missing required field 'input'"),
        RuleCase(
            "output is required", Fixture.appending("prices:\n  gpt-4o: { input: 2.5 }"), at: 30, 11,
            "price of 'gpt-4o' is missing required field 'output'"),
        RuleCase(
            "a price is not negative", Fixture.appending("prices:\n  gpt-4o: { input: -1, output: 10 }"), at: 30, 20,
            "input of 'gpt-4o' must not be negative"),
        RuleCase(
            "cacheWrite is not negative",
            Fixture.appending("prices:\n  gpt-4o: { input: 1, output: 10, cacheWrite: -0.5 }"), at: 30, 47,
            "cacheWrite of 'gpt-4o' must not be negative"),
        RuleCase(
            "a quoted price is not a number", Fixture.appending("prices:\n  gpt-4o: { input: \"3\", output: 10 }"),
            at: 30, 20, "input of 'gpt-4o' must be a number (USD per million tokens)"),
        RuleCase(
            "a currency sign is not a number", Fixture.appending("prices:\n  gpt-4o: { input: 3, output: $15 }"),
            at: 30, 31, "output of 'gpt-4o' must be a number"),
        RuleCase(
            "infinity is not a price", Fixture.appending("prices:\n  gpt-4o: { input: .inf, output: 10 }"), at: 30, 20,
            "input of 'gpt-4o' must be a number"),
        RuleCase(
            "NaN is not a price", Fixture.appending("prices:\n  gpt-4o: { input: 1, output: .nan }"), at: 30, 31,
            "output of 'gpt-4o' must be a number"),
        RuleCase(
            "a price that overflows", Fixture.appending("prices:\n  gpt-4o: { input: 1e999, output: 10 }"), at: 30, 20,
            "input of 'gpt-4o' is too large"),
        RuleCase(
            "a list is not a price", Fixture.appending("prices:\n  gpt-4o: { input: [1], output: 10 }"), at: 30, 20,
            "input of 'gpt-4o' must be a number"),
        RuleCase(
            "unknown price field", Fixture.appending("prices:\n  gpt-4o: { input: 3, output: 10, cachedRead: 1 }"),
            at: 30, 35, "unknown field 'cachedRead' in price of 'gpt-4o'"),
        RuleCase(
            "duplicate model",
            Fixture.appending("prices:\n  gpt-4o: { input: 3, output: 10 }\n  gpt-4o: { input: 2, output: 8 }"), at: 31,
            3, "duplicate key 'gpt-4o' in this mapping (first at line 30)"),
        RuleCase(
            "duplicate price field", Fixture.appending("prices:\n  gpt-4o: { input: 3, input: 2, output: 8 }"), at: 30,
            23, "duplicate key 'input' in this mapping"),
        RuleCase(
            "model name has no whitespace", Fixture.appending("prices:\n  \"gpt 4o\": { input: 3, output: 10 }"),
            at: 30, 3, "model name must not contain whitespace or control characters"),
        RuleCase(
            "model name is not empty", Fixture.appending("prices:\n  \"\": { input: 3, output: 10 }"), at: 30, 3,
            "model name must not be empty"),
        RuleCase(
            "unknown top-level field near prices", Fixture.appending("price:\n  gpt-4o: { input: 3, output: 10 }"),
            at: 29, 1, "unknown field 'price' in the config"),
    ]

    @Test(arguments: cases)
    func rule(_ rule: RuleCase) {
        rule.verify()
    }

    @Test func anUnknownFieldSuggestsTheClosest() throws {
        let outcome = Fixture.compile(Fixture.appending("prices:\n  gpt-4o: { input: 3, output: 10, cachedRead: 1 }"))
        #expect(outcome.diagnostics.first?.note == "did you mean 'cacheRead'?")
        let top = Fixture.compile(Fixture.appending("price:\n  gpt-4o: { input: 3, output: 10 }"))
        #expect(top.diagnostics.first?.note == "did you mean 'prices'?")
    }

    @Test func everyBadFieldIsReportedInOneRun() {
        let outcome = Fixture.compile(
            Fixture.appending(
                """
                prices:
                  a: { input: -1, output: x, cacheRead: "0.3" }
                  b: { output: 1 }
                """))
        #expect(
            outcome.diagnostics.map(\.location) == [
                SourceLocation(line: 30, column: 15), SourceLocation(line: 30, column: 27),
                SourceLocation(line: 30, column: 41),
                SourceLocation(line: 31, column: 6),
            ], "\(outcome.diagnostics)")
    }

    @Test func pricesReachTheTableWithCacheRatesDefaultingToInput() throws {
        let outcome = Fixture.compile(
            Fixture.appending(
                """
                prices:
                  claude-sonnet-4-5: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }
                  gpt-4o-2024-08-06: { input: 2.5, output: 10, cacheRead: 1.25 }
                  local: { input: 0, output: -0 }
                  tiny: { input: .5, output: 1.5e-1, cacheWrite: +2. }
                """))
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        let table = try #require(outcome.table)
        #expect(
            table.prices == [
                "claude-sonnet-4-5": ModelPrice(input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75),
                "gpt-4o-2024-08-06": ModelPrice(input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 2.5),
                "local": ModelPrice(input: 0, output: 0, cacheRead: 0, cacheWrite: 0),
                "tiny": ModelPrice(input: 0.5, output: 0.15, cacheRead: 0.5, cacheWrite: 2),
            ])
        #expect(table.prices["local"]?.output.sign == .plus, "-0 is stored as 0")
        #expect(table.price(for: "gpt-4o") == nil, "exact match only")
    }

    @Test func anEmptyPricesBlockIsNoPrices() throws {
        let outcome = Fixture.compile(Fixture.appending("prices: {}"))
        #expect(outcome.diagnostics.isEmpty)
        #expect(try #require(outcome.table).prices.isEmpty)
    }
}
