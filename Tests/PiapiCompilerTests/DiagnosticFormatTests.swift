import Foundation
import PiapiCompiler
import Testing

/// The three diagnostics formats, and several errors of one run reported together in order.
struct DiagnosticFormatTests {
    /// Three errors and a warning, written out of order on purpose is impossible in YAML,
    /// so they appear in file order; the test checks they all come back, sorted.
    static let broken = Fixture.valid
        .replacingOccurrences(
            of: "        baseUrl: https://api.beta.test/codex?v=2",
            with: "        baseURL: https://api.beta.test/codex?v=2"
        )
        .replacingOccurrences(of: "    apiKey: user-bob-secret", with: "    apiKey: user-alice-secret")
        .replacingOccurrences(of: "        strategy: weighted_rr", with: "        strategy: weighted")
        .replacingOccurrences(
            of: "        baseUrl: https://api.alpha.test/v1", with: "        baseUrl: http://api.alpha.test/v1")

    @Test func everyErrorOfARunIsReportedSortedByPosition() {
        let outcome = Fixture.compile(Self.broken)
        let positions = outcome.diagnostics.map { "\($0.severity.rawValue) \($0.location)" }
        #expect(positions == ["warning 8:18", "error 13:9", "error 14:9", "error 22:13", "error 25:19"])
        #expect(outcome.diagnostics.summary == "4 errors, 1 warning")
        #expect(outcome.table == nil)
    }

    @Test func humanFormatShowsLineCaretNoteAndSummary() {
        let outcome = Fixture.compile(Self.broken)
        let text = HumanDiagnosticFormatter.format(outcome.diagnostics, source: outcome.source)
        #expect(
            text.contains(
                """
                config.yaml:14:9: error: unknown field 'baseURL' in service
                        baseURL: https://api.beta.test/codex?v=2
                        ^
                config.yaml:14:9: note: did you mean 'baseUrl'?

                """))
        #expect(text.hasSuffix("\n4 errors, 1 warning\n"))
    }

    @Test func humanFormatMasksSecretsOnTheQuotedLine() {
        let outcome = Fixture.compile(Self.broken)
        let text = HumanDiagnosticFormatter.format(outcome.diagnostics, source: outcome.source)
        #expect(
            text.contains(
                """
                config.yaml:22:13: error: duplicate user apiKey (users[0] and users[1])
                    apiKey: ********
                            ^

                """))
        for secret in Fixture.secrets { #expect(!text.contains(secret)) }
    }

    @Test func theCaretMovesWithAMaskedSecretBeforeIt() {
        let outcome = Fixture.compile(
            Fixture.replacing(line: 11, with: "    apiKeys: { prod: sk-beta-secret-3, \" prod\": sk-x }"))
        let text = HumanDiagnosticFormatter.format(outcome.diagnostics, source: outcome.source)
        #expect(
            text.contains(
                """
                config.yaml:11:40: error: duplicate key name 'prod' in apiKeys (first at line 11)
                    apiKeys: { prod: ********, " prod": ******** }
                                               ^

                """))
    }

    @Test func jsonFormatIsOneObjectWithCountsAndPositions() throws {
        let outcome = Fixture.compile(Self.broken)
        let text = JSONDiagnosticFormatter.format(outcome.diagnostics, fileName: "config.yaml")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["file"] as? String == "config.yaml")
        #expect(object["errors"] as? Int == 4)
        #expect(object["warnings"] as? Int == 1)
        let items = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(items.count == 5)
        let unknown = try #require(items.first { ($0["message"] as? String)?.contains("baseURL") == true })
        #expect(unknown["severity"] as? String == "error")
        #expect(unknown["line"] as? Int == 14)
        #expect(unknown["column"] as? Int == 9)
        #expect(unknown["note"] as? String == "did you mean 'baseUrl'?")
    }

    @Test func githubFormatIsOneWorkflowCommandPerDiagnostic() {
        let outcome = Fixture.compile(Self.broken)
        let lines = GitHubDiagnosticFormatter.format(outcome.diagnostics, fileName: "conf,ig.yaml").split(
            separator: "\n")
        #expect(lines.count == 5)
        #expect(
            lines[0]
                == "::warning file=conf%2Cig.yaml,line=8,col=18::baseUrl uses plain http://; the provider key travels unencrypted"
        )
        #expect(
            lines[2]
                == "::error file=conf%2Cig.yaml,line=14,col=9::unknown field 'baseURL' in service (did you mean 'baseUrl'?)"
        )
    }

    @Test func humanDiagnosticsGoToStandardErrorOthersToStandardOutput() {
        #expect(
            DiagnosticsFormat.human.render([], source: Fixture.compile(Fixture.valid).source).toStandardOutput == false)
        #expect(DiagnosticsFormat.json.render([], source: Fixture.compile(Fixture.valid).source).toStandardOutput)
        #expect(DiagnosticsFormat.github.render([], source: Fixture.compile(Fixture.valid).source).toStandardOutput)
    }
}
