import PiapiCompiler
import RouteTable
import Testing

/// Rules of contract §5 for the `strategy` + `candidates` form.
struct CandidateRuleTests {
    static let cases: [RuleCase] = [
        RuleCase(
            "unknown strategy", Fixture.replacing(line: 25, with: "        strategy: fastest"), at: 25, 19,
            "unknown strategy 'fastest'"),
        RuleCase(
            "empty candidate list", Fixture.replacing(lines: 26...28, with: "        candidates: []"), at: 26, 9,
            "candidates must not be empty"),
        RuleCase(
            "candidates must be a sequence",
            Fixture.replacing(lines: 26...28, with: "        candidates: { providerName: beta }"), at: 26, 21,
            "candidates must be a sequence, found a mapping"),
        RuleCase(
            "no enabled candidate",
            Fixture.replacing(
                lines: 27...28,
                with: """
                              - { providerName: alpha, providerKeyName: backup, enabled: false }
                              - { providerName: beta, providerKeyName: prod, enabled: false }
                    """), at: 26, 9, "no enabled candidate for 'codex'"),
        RuleCase(
            "duplicate candidate",
            Fixture.replacing(line: 28, with: "          - { providerName: alpha, providerKeyName: backup }"), at: 28,
            13, "duplicate candidate alpha/backup (first at line 27)"),
        RuleCase(
            "weight below 1",
            Fixture.replacing(
                line: 27, with: "          - { providerName: alpha, providerKeyName: backup, weight: 0 }"), at: 27, 69,
            "weight must be from 1 to"),
        RuleCase(
            "weight not an integer",
            Fixture.replacing(
                line: 27, with: "          - { providerName: alpha, providerKeyName: backup, weight: 1.5 }"), at: 27,
            69, "weight must be an integer"),
        RuleCase(
            "weight quoted is not an integer",
            Fixture.replacing(
                line: 27, with: "          - { providerName: alpha, providerKeyName: backup, weight: \"3\" }"), at: 27,
            69, "weight must be an integer"),
        RuleCase(
            "enabled must be a bool",
            Fixture.replacing(
                line: 28, with: "          - { providerName: beta, providerKeyName: prod, enabled: \"no\" }"), at: 28,
            67, "enabled must be true or false"),
        RuleCase(
            "candidate provider exists",
            Fixture.replacing(line: 28, with: "          - { providerName: gamma, providerKeyName: prod }"), at: 28, 29,
            "unknown provider 'gamma'"),
        RuleCase(
            "candidate key exists",
            Fixture.replacing(line: 28, with: "          - { providerName: beta, providerKeyName: main }"), at: 28, 52,
            "provider 'beta' has no key 'main'"),
        RuleCase(
            "candidate provider exposes the service", Fixture.replacing(line: 24, with: "      claude_code:"), at: 27,
            29, "provider 'alpha' has no service of type 'claude_code'"),
        RuleCase(
            "candidate providerName is required",
            Fixture.replacing(line: 28, with: "          - { providerKeyName: prod }"), at: 28, 13,
            "candidate is missing required field 'providerName'"),
        RuleCase(
            "candidate must be a mapping", Fixture.replacing(line: 28, with: "          - beta/prod"), at: 28, 13,
            "candidate must be a mapping, found a scalar"),
        RuleCase(
            "unknown candidate field",
            Fixture.replacing(line: 28, with: "          - { providerName: beta, providerKeyName: prod, wieght: 2 }"),
            at: 28, 58, "unknown field 'wieght' in candidate"),
    ]

    @Test(arguments: cases)
    func rule(_ rule: RuleCase) {
        rule.verify()
    }

    @Test func misspeltStrategySuggestsTheClosestOne() throws {
        let outcome = Fixture.compile(Fixture.replacing(line: 25, with: "        strategy: round_robbin"))
        let diagnostic = try #require(outcome.diagnostics.first { $0.message.contains("unknown strategy") })
        #expect(diagnostic.note == "did you mean 'round_robin'?")
    }

    @Test func adaptiveRoundRobinCompilesAndIsSuggested() throws {
        let table = try #require(
            Fixture.compile(Fixture.replacing(line: 25, with: "        strategy: adaptive_rr")).table)
        let bob = try #require(table.lookup(digest: KeyDigest(ofKey: "user-bob-secret"), service: "codex"))
        #expect(bob.route.strategy == .adaptiveRoundRobin)
        #expect(bob.route.candidates.map(\.weight) == [3, 1])

        let misspelt = Fixture.compile(Fixture.replacing(line: 25, with: "        strategy: adaptive-rr"))
        let suggestion = try #require(misspelt.diagnostics.first { $0.message.contains("unknown strategy") })
        #expect(suggestion.note == "did you mean 'adaptive_rr'?")

        let unknown = Fixture.compile(Fixture.replacing(line: 25, with: "        strategy: fastest"))
        let listed = try #require(unknown.diagnostics.first { $0.message.contains("unknown strategy") })
        #expect(
            listed.note == "expected one of: 'failover', 'round_robin', 'weighted_rr', 'sticky_healthy', 'adaptive_rr'")
    }
}
