import PiapiCompiler
import Testing

/// Rules of contract §2 about users and their single-candidate routes.
struct UserRuleTests {
    static let cases: [RuleCase] = [
        RuleCase(
            "user name is required", Fixture.replacing(line: 17, with: "  -"), at: 18, 5,
            "user is missing required field 'name'"),
        RuleCase(
            "user apiKey is required", Fixture.replacing(line: 18, with: "    apiKye: user-alice-secret"), at: 17, 5,
            "user is missing required field 'apiKey'"),
        RuleCase(
            "user apiKey must not be empty", Fixture.replacing(line: 18, with: "    apiKey: \"\""), at: 18, 13,
            "user apiKey must not be empty"),
        RuleCase(
            "user apiKey is unique", Fixture.replacing(line: 22, with: "    apiKey: user-alice-secret"), at: 22, 13,
            "duplicate user apiKey (users[0] and users[1])"),
        RuleCase(
            "user apiKey is a literal", Fixture.replacing(line: 18, with: "    apiKey: \"${ALICE_KEY}\""), at: 18, 13,
            "user apiKey must be a literal"),
        RuleCase(
            "user apiKey has no whitespace", Fixture.replacing(line: 18, with: "    apiKey: \"user alice\""), at: 18,
            13, "must not contain whitespace"),
        RuleCase(
            "user services must not be empty", Fixture.replacing(lines: 19...20, with: "    services: {}"), at: 19, 15,
            "user services must not be empty"),
        RuleCase(
            "user services must be a mapping", Fixture.replacing(lines: 19...20, with: "    services: [codex]"), at: 19,
            15, "user services must be a mapping, found a sequence"),
        RuleCase(
            "route service type is a path segment",
            Fixture.replacing(line: 20, with: "      \"co dex\": { providerName: alpha, providerKeyName: main }"),
            at: 20, 7, "service type 'co dex' cannot appear in /piapi/<service_type>/"),
        RuleCase(
            "route must be a mapping", Fixture.replacing(line: 20, with: "      codex: [alpha, main]"), at: 20, 14,
            "route for 'codex' must be a mapping"),
        RuleCase(
            "providerName is required", Fixture.replacing(line: 20, with: "      codex: { providerKeyName: main }"),
            at: 20, 14, "route for 'codex' is missing required field 'providerName'"),
        RuleCase(
            "providerKeyName is required", Fixture.replacing(line: 20, with: "      codex: { providerName: alpha }"),
            at: 20, 14, "route for 'codex' is missing required field 'providerKeyName'"),
        RuleCase(
            "providerName exists",
            Fixture.replacing(line: 20, with: "      codex: { providerName: alfa, providerKeyName: main }"), at: 20, 30,
            "unknown provider 'alfa'"),
        RuleCase(
            "providerKeyName exists in the provider",
            Fixture.replacing(line: 20, with: "      codex: { providerName: alpha, providerKeyName: mian }"), at: 20,
            54, "provider 'alpha' has no key 'mian'"),
        RuleCase(
            "provider exposes the service type",
            Fixture.replacing(line: 20, with: "      claude_code: { providerName: alpha, providerKeyName: main }"),
            at: 20, 36, "provider 'alpha' has no service of type 'claude_code'"),
        RuleCase(
            "strategy belongs to the candidates form",
            Fixture.replacing(
                line: 20, with: "      codex: { strategy: failover, providerName: alpha, providerKeyName: main }"),
            at: 20, 16, "strategy needs a candidates list"),
    ]

    @Test(arguments: cases)
    func rule(_ rule: RuleCase) {
        rule.verify()
    }

    @Test func unknownProviderSuggestsTheClosestName() throws {
        let outcome = Fixture.compile(
            Fixture.replacing(line: 20, with: "      codex: { providerName: alfa, providerKeyName: main }"))
        let diagnostic = try #require(outcome.diagnostics.first { $0.message.contains("unknown provider") })
        #expect(diagnostic.note == "did you mean 'alpha'?")
    }
}
