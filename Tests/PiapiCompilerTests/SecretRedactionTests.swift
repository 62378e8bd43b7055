import Foundation
import PiapiCompiler
import RouteTable
import Testing

/// No key value, user or provider, ever appears in diagnostics, inspect or diff.
struct SecretRedactionTests {
    /// Every rule that looks at a secret value, broken at once.
    static let brokenSecrets =
        Fixture.valid
        .replacingOccurrences(of: "      main: sk-alpha-secret-1", with: "      main: \"${sk-alpha-secret-1\"")
        .replacingOccurrences(of: "      backup: sk-alpha-secret-2", with: "      backup: \"${sk-alpha-secret-2}\"")
        .replacingOccurrences(of: "    apiKey: user-bob-secret", with: "    apiKey: user-alice-secret")
        + "  - name: Carol\n    apiKey: \"${user-bob-secret}\"\n    services: { codex: { providerName: beta, providerKeyName: prod } }\n"
        + "  - name: Dave\n    apiKey: user-bob-secret\n    apiKey: user-bob-secret\n    services: { codex: { providerName: beta, providerKeyName: prod } }\n"

    @Test func noFormatEchoesASecret() {
        let outcome = Fixture.compile(Self.brokenSecrets)
        #expect(outcome.diagnostics.errorCount >= 5, "\(outcome.diagnostics)")
        for format in DiagnosticsFormat.allCases {
            let text = format.render(outcome.diagnostics, source: outcome.source).text
            for secret in Fixture.secrets {
                #expect(!text.contains(secret), "\(format) shows \(secret)")
            }
        }
    }

    @Test func inspectShowsNamesAndRedactsValues() throws {
        let yaml = Fixture.replacing(line: 5, with: "      backup: \"${ALPHA_BACKUP}\"")
        let table = try #require(Fixture.compile(yaml).table)
        let text = TableInspector.render(table)
        for secret in Fixture.secrets { #expect(!text.contains(secret)) }
        #expect(text.contains("${ALPHA_BACKUP}"))
        #expect(text.contains("needs from the environment: ALPHA_BACKUP"))
    }

    /// A base URL's query can carry a token (Azure Functions' `?code=`): names are shown,
    /// every value is masked, in `inspect` and in `diff`.
    static let tokenInQuery = Fixture.replacing(
        line: 14, with: "        baseUrl: https://api.beta.test/codex?code=SECRET123&api-version=2024")

    @Test func inspectMasksBaseQueryValues() throws {
        let table = try #require(Fixture.compile(Self.tokenInQuery).table)
        let text = TableInspector.render(table)
        #expect(!text.contains("SECRET123"))
        #expect(text.contains("https://api.beta.test/codex?code=***&api-version=***"))
    }

    @Test func diffMasksBaseQueryValuesButNoticesThatOneChanged() throws {
        let old = try #require(Fixture.compile(Fixture.valid).table)
        let new = try #require(Fixture.compile(Self.tokenInQuery).table)
        let added = RouteDiff(old: old, new: new).render()
        #expect(!added.contains("SECRET123"))
        #expect(added.contains("code=***"))
        let rotated = try #require(
            Fixture.compile(Self.tokenInQuery.replacingOccurrences(of: "SECRET123", with: "ROTATED456")).table)
        let text = RouteDiff(old: new, new: rotated).render()
        #expect(
            text == "~ Bob / codex\n    beta/prod url query value changed (redacted)\n0 added, 0 removed, 1 changed\n")
        #expect(!text.contains("SECRET123") && !text.contains("ROTATED456"))
    }

    @Test func diffRedactsValuesButNoticesThatOneChanged() throws {
        let old = try #require(Fixture.compile(Fixture.valid).table)
        let new = try #require(Fixture.compile(Fixture.replacing(line: 4, with: "      main: sk-alpha-rotated")).table)
        let text = RouteDiff(old: old, new: new).render()
        #expect(text == "~ Alice / codex\n    credential value changed (redacted)\n0 added, 0 removed, 1 changed\n")
        for secret in Fixture.secrets + ["sk-alpha-rotated"] { #expect(!text.contains(secret)) }
    }
}

/// Secrets in places the decoder cannot use (misspelt or misplaced fields) are masked too.
struct MisplacedSecretTests {
    static let misplaced: [String] = [
        Fixture.replacing(line: 11, with: "    apiKeyz: { prod: sk-beta-secret-3 }"),
        Fixture.replacing(line: 11, with: "    apiKeys: [sk-beta-secret-3]"),
        Fixture.replacing(line: 18, with: "    apikey: user-alice-secret"),
        Fixture.replacing(line: 18, with: "    apiKey: [user-alice-secret]"),
        Fixture.replacing(line: 10, with: "  - sk-beta-secret-3"),
        Fixture.inserting("    apiKeys: { prod: sk-beta-secret-3 }", before: 12),
        Fixture.replacing(line: 14, with: "        baseUrl: https://admin:sk-beta-secret-3@api.beta.test/codex"),
    ]

    @Test(arguments: misplaced)
    func humanExcerptsMaskMisplacedSecrets(_ yaml: String) {
        let outcome = Fixture.compile(yaml)
        #expect(outcome.diagnostics.errorCount > 0)
        let text = HumanDiagnosticFormatter.format(outcome.diagnostics, source: outcome.source)
        for secret in Fixture.secrets { #expect(!text.contains(secret), "\(text)") }
    }
}
