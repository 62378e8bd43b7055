import PiapiCompiler
import RouteTable
import Testing

/// Rules for the top-level `limits` defaults and `users[].limits` (contract §9).
struct LimitRuleTests {
    /// Alice's entry gets `text` as line 19 (right after her apiKey).
    static func alice(_ text: String) -> String { Fixture.inserting(text, before: 19) }

    static let cases: [RuleCase] = [
        RuleCase(
            "limits must be a mapping", Fixture.appending("limits: 600"), at: 29, 9,
            "limits must be a mapping, found a scalar"),
        RuleCase(
            "a count of 0", Fixture.appending("limits: { requestsPerMinute: 0 }"), at: 29, 30,
            "requestsPerMinute must be a positive integer"),
        RuleCase(
            "a negative count", Fixture.appending("limits: { concurrentRequests: -4 }"), at: 29, 31,
            "concurrentRequests must be a positive integer"),
        RuleCase(
            "a fractional count", Fixture.appending("limits: { concurrentRequests: 1.5 }"), at: 29, 31,
            "concurrentRequests must be a positive integer"),
        RuleCase(
            "a quoted count", Fixture.appending("limits: { tokensPerDay: \"5\" }"), at: 29, 25,
            "tokensPerDay must be a positive integer"),
        RuleCase(
            "a count with separators", Fixture.appending("limits: { tokensPerDay: 20_000_000 }"), at: 29, 25,
            "tokensPerDay must be a positive integer"),
        RuleCase(
            "a count too large", Fixture.appending("limits: { tokensPerMonth: 9007199254740992 }"), at: 29, 27,
            "tokensPerMonth must be at most 9007199254740991"),
        RuleCase(
            "a count far too large", Fixture.appending("limits: { tokensPerMonth: 99999999999999999999999 }"), at: 29,
            27, "tokensPerMonth must be at most 9007199254740991"),
        RuleCase(
            "a USD limit of 0", Fixture.appending("limits: { usdPerDay: 0 }"), at: 29, 22,
            "usdPerDay must be a positive number (USD)"),
        RuleCase(
            "a negative USD limit", Fixture.appending("limits: { usdPerMonth: -1 }"), at: 29, 24,
            "usdPerMonth must be a positive number (USD)"),
        RuleCase(
            "a USD limit with a currency sign", Fixture.appending("limits: { usdPerMonth: $200 }"), at: 29, 24,
            "usdPerMonth must be a positive number (USD)"),
        RuleCase(
            "a USD limit that overflows", Fixture.appending("limits: { usdPerMonth: 1e400 }"), at: 29, 24,
            "usdPerMonth is too large"),
        RuleCase(
            "none in the defaults", Fixture.appending("limits: { tokensPerDay: none }"), at: 29, 25,
            "none is only for a user's limits, where it lifts a default"),
        RuleCase(
            "unknown field in the defaults", Fixture.appending("limits: { requestPerMinute: 5 }"), at: 29, 11,
            "unknown field 'requestPerMinute' in limits"),
        RuleCase(
            "user limits must be a mapping", alice("    limits: none"), at: 19, 13,
            "user limits must be a mapping, found a scalar"),
        RuleCase(
            "a user's count of 0", alice("    limits: { requestsPerMinute: 0 }"), at: 19, 34,
            "requestsPerMinute must be a positive integer or none"),
        RuleCase(
            "a user's USD limit of 0", alice("    limits: { usdPerDay: 0.0 }"), at: 19, 26,
            "usdPerDay must be a positive number (USD) or none"),
        RuleCase(
            "a user's quoted none", alice("    limits: { tokensPerDay: \"none\" }"), at: 19, 29,
            "tokensPerDay must be a positive integer or none"),
        RuleCase(
            "a user's null is not none", alice("    limits: { tokensPerDay: null }"), at: 19, 29,
            "tokensPerDay must be a positive integer or none"),
        RuleCase(
            "a user's None is not none", alice("    limits: { tokensPerDay: None }"), at: 19, 29,
            "tokensPerDay must be a positive integer or none"),
        RuleCase(
            "unknown field in user limits", alice("    limits: { tokensPerWeek: 5 }"), at: 19, 15,
            "unknown field 'tokensPerWeek' in user limits"),
        RuleCase(
            "duplicate field in user limits", alice("    limits: { tokensPerDay: 5, tokensPerDay: 6 }"), at: 19, 32,
            "duplicate key 'tokensPerDay' in this mapping"),
        RuleCase(
            "limits in the wrong place", Fixture.inserting("    limits: { requestsPerMinute: 5 }", before: 3), at: 3, 5,
            "unknown field 'limits' in provider"),
        // A USD budget without prices can never fill: a warning, not an error.
        RuleCase(
            "default USD limit without prices", Fixture.appending("limits: { usdPerDay: 5 }"), .warning, at: 29, 22,
            "usdPerDay cannot be enforced: the config has no prices"),
        RuleCase(
            "user USD limit without prices", alice("    limits: { usdPerMonth: 200 }"), .warning, at: 19, 28,
            "usdPerMonth cannot be enforced: the config has no prices"),
        RuleCase(
            "user USD limit with an empty prices block", alice("    limits: { usdPerMonth: 200 }") + "prices: {}\n",
            .warning, at: 19, 28,
            "usdPerMonth cannot be enforced: the config has no prices"),
    ]

    @Test(arguments: cases)
    func rule(_ rule: RuleCase) {
        rule.verify()
    }

    @Test func notesExplainZeroNoneAndTypos() throws {
        func note(_ yaml: String) -> String? { Fixture.compile(yaml).diagnostics.first?.note }
        #expect(
            note(Fixture.appending("limits: { requestsPerMinute: 0 }"))
                == "0 does not mean unlimited: leave the field out, or write none in a user's limits to lift a default")
        #expect(
            note(Fixture.appending("limits: { tokensPerDay: none }"))
                == "leave tokensPerDay out of the defaults: without a default it is unlimited")
        #expect(note(Fixture.appending("limits: { requestPerMinute: 5 }")) == "did you mean 'requestsPerMinute'?")
        #expect(
            note(Fixture.appending("limits: { tokensPerDay: 20_000_000 }"))
                == "write the digits only, without '_' or ','")
        #expect(note(Self.alice("    limits: { tokensPerDay: \"none\" }")) == "write none without quotes")
        #expect(
            note(Self.alice("    limits: { tokensPerDay: null }"))
                == "a null value is not none: write none to lift a default")
        #expect(
            note(Fixture.appending("limits: { usdPerDay: 5 }"))
                == "add a top-level prices block (USD per million tokens for each model)")
    }

    @Test func aUSDLimitWithPricesDrawsNoWarning() {
        let outcome = Fixture.compile(
            Self.alice("    limits: { usdPerMonth: 200 }")
                + "prices: { gpt-4o: { input: 2.5, output: 10 } }\nlimits: { usdPerDay: 5 }\n")
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
    }

    @Test func effectiveLimitsAreDefaultsWithTheUsersOverrides() throws {
        let yaml =
            Self.alice(
                "    limits: { requestsPerMinute: 60, tokensPerDay: none, tokensPerMonth: 100000000, usdPerMonth: 200, usdPerDay: none }"
            )
                + """
                prices: { gpt-4o: { input: 2.5, output: 10 } }
                limits: { requestsPerMinute: 600, concurrentRequests: 16, tokensPerDay: 20000000, usdPerDay: 12.5 }

                """
        let outcome = Fixture.compile(yaml)
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        let table = try #require(outcome.table)
        #expect(
            table.user(for: KeyDigest(ofKey: "user-alice-secret"))?.limits
                == UserLimits(
                    requestsPerMinute: 60, concurrentRequests: 16, tokensPerMonth: 100_000_000, usdPerMonth: 200))
        #expect(
            table.user(for: KeyDigest(ofKey: "user-bob-secret"))?.limits
                == UserLimits(requestsPerMinute: 600, concurrentRequests: 16, tokensPerDay: 20_000_000, usdPerDay: 12.5)
        )
        // The compiled table carries them through both encodings.
        #expect(try TableFile.decode(TableFile.encode(table, as: .binary)) == table)
        #expect(try TableFile.decode(TableFile.encode(table, as: .json)) == table)
    }

    @Test func noneWithoutADefaultChangesNothing() throws {
        let outcome = Fixture.compile(Self.alice("    limits: { requestsPerMinute: none, concurrentRequests: 2 }"))
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        let table = try #require(outcome.table)
        #expect(table.user(for: KeyDigest(ofKey: "user-alice-secret"))?.limits == UserLimits(concurrentRequests: 2))
        #expect(table.user(for: KeyDigest(ofKey: "user-bob-secret"))?.limits == .unlimited)
    }

    @Test func aConfigWithoutLimitsLeavesEveryUserUnlimited() throws {
        let table = try #require(Fixture.compile(Fixture.valid).table)
        #expect(table.users.allSatisfy { $0.limits.isUnlimited })
        #expect(table.prices.isEmpty)
        let empty = try #require(Fixture.compile(Fixture.appending("limits: {}")).table)
        #expect(empty.users.allSatisfy { $0.limits.isUnlimited })
    }

    @Test func largestCountsAreAccepted() throws {
        let outcome = Fixture.compile(
            Fixture.appending("limits: { tokensPerMonth: 9007199254740991, requestsPerMinute: +1 }"))
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        #expect(
            try #require(outcome.table).users.first?.limits
                == UserLimits(requestsPerMinute: 1, tokensPerMonth: UserLimits.maxCount))
    }
}
