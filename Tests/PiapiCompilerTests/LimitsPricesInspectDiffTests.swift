import PiapiCompiler
import RouteTable
import Testing

/// What `inspect` and `diff` show of prices and per-user limits.
struct LimitsPricesInspectDiffTests {
    /// The fixture with prices, defaults, and Alice's overrides (her entry gets line 19).
    static let limited =
        Fixture.inserting("    limits: { requestsPerMinute: 60, tokensPerDay: none, usdPerMonth: 200 }", before: 19)
            + """
            prices:
              gpt-4o-2024-08-06: { input: 2.5, output: 10, cacheRead: 1.25 }
              claude-sonnet-4-5: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }
            limits: { requestsPerMinute: 600, concurrentRequests: 16, tokensPerDay: 20000000 }

            """

    @Test func inspectShowsEffectiveLimitsAndPrices() throws {
        let table = try #require(Fixture.compile(Self.limited).table)
        let text = TableInspector.render(table)
        #expect(
            text.hasSuffix(
                """
                Bob    codex    weighted_rr  2  beta      prod    1       yes      https://api.beta.test/codex?v=***  query api_key=<redacted>

                limits per user (defaults merged with the user's own; - is unlimited; USD needs prices):
                USER   requestsPerMinute  concurrentRequests  tokensPerDay  tokensPerMonth  usdPerDay  usdPerMonth
                Alice  60                 16                  -             -               -          200
                Bob    600                16                  20000000      -               -          -

                prices in USD per million tokens (a response's model must match exactly):
                MODEL              input  output  cacheRead  cacheWrite
                claude-sonnet-4-5  3      15      0.3        3.75
                gpt-4o-2024-08-06  2.5    10      1.25       2.5

                """), "\(text)")
    }

    @Test func inspectWithoutLimitsOrPricesIsUnchanged() throws {
        let text = TableInspector.render(try #require(Fixture.compile(Fixture.valid).table))
        #expect(!text.contains("limits per user") && !text.contains("prices in USD"))
        let onlyPrices = TableInspector.render(
            try #require(Fixture.compile(Fixture.appending("prices: { m: { input: 1, output: 2 } }")).table))
        #expect(!onlyPrices.contains("limits per user") && onlyPrices.contains("prices in USD"))
    }

    @Test func diffReportsLimitChangesPerUserAndPriceChangesPerModel() throws {
        let old = try #require(Fixture.compile(Self.limited).table)
        let yaml = Self.limited
            .replacingOccurrences(of: "usdPerMonth: 200 }", with: "usdPerMonth: 250.5, tokensPerMonth: 100000000 }")
            .replacingOccurrences(of: "limits: { requestsPerMinute: 600,", with: "limits: { requestsPerMinute: 300,")
            .replacingOccurrences(of: "output: 15,", with: "output: 16,")
            .replacingOccurrences(
                of: "  gpt-4o-2024-08-06: { input: 2.5, output: 10, cacheRead: 1.25 }\n",
                with: "  gpt-4.1: { input: 2, output: 8 }\n")
        let new = try #require(Fixture.compile(yaml).table)
        #expect(
            RouteDiff(old: old, new: new).render() == """
                ~ limits of Alice
                    tokensPerMonth: unlimited → 100000000
                    usdPerMonth: 200 → 250.5
                ~ limits of Bob
                    requestsPerMinute: 600 → 300
                ~ price claude-sonnet-4-5
                    output: 15 → 16
                + price gpt-4.1: input 2, output 8, cacheRead 2, cacheWrite 2
                - price gpt-4o-2024-08-06: input 2.5, output 10, cacheRead 1.25, cacheWrite 2.5
                no route changes
                limits: 0 added, 0 removed, 2 changed
                prices: 1 added, 1 removed, 1 changed

                """)
        #expect(!RouteDiff(old: old, new: new).isEmpty)
    }

    @Test func liftingADefaultShowsAsUnlimited() throws {
        let old = try #require(Fixture.compile(Self.limited).table)
        let new = try #require(
            Fixture.compile(
                Self.limited.replacingOccurrences(of: "requestsPerMinute: 60,", with: "requestsPerMinute: none,")
            ).table)
        #expect(
            RouteDiff(old: old, new: new).render() == """
                ~ limits of Alice
                    requestsPerMinute: 60 → unlimited
                no route changes
                limits: 0 added, 0 removed, 1 changed

                """)
    }

    @Test func usersWhoComeOrGoShowTheirLimits() throws {
        let old = try #require(Fixture.compile(Self.limited).table)
        let new = try #require(
            Fixture.compile(
                Self.limited.replacingOccurrences(of: "apiKey: user-bob-secret", with: "apiKey: user-bob-new")
            ).table)
        let text = RouteDiff(old: old, new: new).render()
        #expect(text.contains("+ limits of Bob: requestsPerMinute 600, concurrentRequests 16, tokensPerDay 20000000\n"))
        #expect(text.contains("- limits of Bob: requestsPerMinute 600, concurrentRequests 16, tokensPerDay 20000000\n"))
        #expect(text.hasSuffix("1 added, 1 removed, 0 changed\nlimits: 1 added, 1 removed, 0 changed\n"), "\(text)")
    }

    @Test func equalTablesWithLimitsAndPricesHaveNoDiff() throws {
        let table = try #require(Fixture.compile(Self.limited).table)
        let diff = RouteDiff(old: table, new: table)
        #expect(diff.isEmpty)
        #expect(diff.render() == "no route changes\n")
    }

    @Test func aTableWithoutLimitsAgainstAConfigWithLimits() throws {
        // A table without limits or prices (as every version 1 table is) against a config that adds them.
        let old = try #require(Fixture.compile(Fixture.valid).table)
        let v1 = try TableFile.decode(TableFile.encode(old, as: .json))
        let text = RouteDiff(old: v1, new: try #require(Fixture.compile(Self.limited).table)).render()
        #expect(text.contains("~ limits of Alice\n    requestsPerMinute: unlimited → 60\n"))
        #expect(
            text.hasSuffix(
                "no route changes\nlimits: 0 added, 0 removed, 2 changed\nprices: 2 added, 0 removed, 0 changed\n"),
            "\(text)")
    }
}
