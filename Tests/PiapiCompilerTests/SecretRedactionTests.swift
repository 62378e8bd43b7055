import Foundation
import PiapiCompiler
import RouteTable
import Testing

/// No key value, user or provider, ever appears in diagnostics, inspect or diff.
struct SecretRedactionTests {
    /// Every rule that looks at a secret value, broken at once.
    static let brokenSecrets = Fixture.valid
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

    @Test func diffRedactsValuesButNoticesThatOneChanged() throws {
        let old = try #require(Fixture.compile(Fixture.valid).table)
        let new = try #require(Fixture.compile(Fixture.replacing(line: 4, with: "      main: sk-alpha-rotated")).table)
        let text = RouteDiff(old: old, new: new).render()
        #expect(text == "~ Alice / codex\n    credential value changed (redacted)\n0 added, 0 removed, 1 changed\n")
        for secret in Fixture.secrets + ["sk-alpha-rotated"] { #expect(!text.contains(secret)) }
    }
}
