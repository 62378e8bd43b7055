import PiapiCompiler
import Testing

/// The warnings of contract §2: reported, positioned, and not failing unless strict.
struct WarningTests {
    static let cases: [RuleCase] = [
        RuleCase(
            "provider key never used",
            Fixture.replacing(line: 20, with: "      codex: { providerName: alpha, providerKeyName: backup }"),
            .warning, at: 4, 7, "key 'main' of provider 'alpha' is never used"),
        RuleCase(
            "service never routed",
            Fixture.inserting("      - { type: claude_code, baseUrl: \"https://api.alpha.test/claude\" }", before: 10),
            .warning, at: 10, 17, "service 'claude_code' of provider 'alpha' is never routed"),
        RuleCase(
            "http upstream", Fixture.replacing(line: 14, with: "        baseUrl: http://api.beta.test/codex"),
            .warning, at: 14, 18, "baseUrl uses plain http://"),
        RuleCase(
            "custom header on the default Bearer prefix",
            Fixture.replacing(line: 9, with: "        auth: { name: x-api-key }"),
            .warning, at: 9, 23, "header 'x-api-key' gets the default prefix"),
        RuleCase(
            "duplicate user names", Fixture.replacing(line: 21, with: "  - name: Alice"),
            .warning, at: 21, 11, "duplicate user name 'Alice' (users[0] and users[1])"),
        RuleCase(
            "plaintext secret next to ${VAR}",
            Fixture.replacing(line: 11, with: "    apiKeys: { prod: \"${BETA_KEY}\" }"),
            .warning, at: 4, 13, "key 'main' of provider 'alpha' is a plaintext secret"),
    ]

    @Test(arguments: cases)
    func warning(_ rule: RuleCase) {
        rule.verify()
    }

    @Test func aKeyUsedOnlyByADisabledCandidateCountsAsUsed() {
        let outcome = Fixture.compile(
            Fixture.replacing(
                line: 27, with: "          - { providerName: alpha, providerKeyName: backup, enabled: false }"))
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        #expect(outcome.table != nil)
    }

    @Test func anExplicitEmptyPrefixSilencesThePrefixWarning() {
        let outcome = Fixture.compile(
            Fixture.replacing(line: 9, with: "        auth: { name: x-api-key, prefix: \"\" }"))
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
    }

    @Test func warningsFailOnlyUnderStrict() {
        let outcome = Fixture.compile(Fixture.replacing(line: 14, with: "        baseUrl: http://api.beta.test/codex"))
        #expect(outcome.diagnostics.warningCount == 1)
        #expect(!outcome.failed(strict: false))
        #expect(outcome.failed(strict: true))
    }
}
