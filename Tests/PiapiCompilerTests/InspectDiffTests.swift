import Foundation
import PiapiCompiler
import RouteTable
import Testing

/// `inspect` rows and `diff` results for known tables.
struct InspectDiffTests {
    @Test func inspectListsEveryCandidateOfEveryRoute() throws {
        let table = try #require(Fixture.compile(Fixture.valid).table)
        let lines = TableInspector.render(table).split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        #expect(lines[0].hasPrefix("2 users, 2 routes, 3 targets, content hash \(table.contentHash)"))
        #expect(lines[1] == "USER SERVICE STRATEGY # PROVIDER KEY WEIGHT ENABLED UPSTREAM INJECTION")
        #expect(
            lines[2]
                == "Alice codex failover 1 alpha main 1 yes https://api.alpha.test/v1 header Authorization: Bearer <redacted>"
        )
        #expect(
            lines[3]
                == "Bob codex weighted_rr 1 alpha backup 3 yes https://api.alpha.test/v1 header Authorization: Bearer <redacted>"
        )
        #expect(
            lines[4]
                == "Bob codex weighted_rr 2 beta prod 1 yes https://api.beta.test/codex?v=*** query api_key=<redacted>")
        #expect(lines.count == 5)
    }

    @Test func inspectColumnsAreAligned() throws {
        let table = try #require(Fixture.compile(Fixture.valid).table)
        let rows = TableInspector.render(table).split(separator: "\n").dropFirst()
        let header = try #require(rows.first)
        let column = try #require(header.range(of: "PROVIDER")).lowerBound
        let offset = header.distance(from: header.startIndex, to: column)
        for row in rows.dropFirst() {
            let cell = row.dropFirst(offset)
            #expect(cell.hasPrefix("alpha ") || cell.hasPrefix("beta "), "\(row)")
        }
    }

    @Test func diffReportsAddedRemovedAndChangedRoutes() throws {
        let old = try #require(Fixture.compile(Fixture.valid).table)
        var yaml = Fixture.replacing(line: 20, with: "      codex: { providerName: beta, providerKeyName: prod }")
        yaml = yaml.replacingOccurrences(
            of: "  - name: Bob\n    apiKey: user-bob-secret", with: "  - name: Bob\n    apiKey: user-bob-new")
        yaml = yaml.replacingOccurrences(of: "        strategy: weighted_rr\n", with: "        strategy: failover\n")
        let new = try #require(Fixture.compile(yaml).table)
        let text = RouteDiff(old: old, new: new).render()
        #expect(
            text == """
                + Bob / codex: failover: alpha/backup weight 3 → https://api.alpha.test/v1 [header Authorization: Bearer <redacted>], beta/prod → https://api.beta.test/codex?v=*** [query api_key=<redacted>]
                - Bob / codex: weighted_rr: alpha/backup weight 3 → https://api.alpha.test/v1 [header Authorization: Bearer <redacted>], beta/prod → https://api.beta.test/codex?v=*** [query api_key=<redacted>]
                ~ Alice / codex
                    provider: alpha → beta
                    key: main → prod
                    url: https://api.alpha.test/v1 → https://api.beta.test/codex?v=***
                    auth: header Authorization: Bearer <redacted> → query api_key=<redacted>
                1 added, 1 removed, 1 changed

                """)
    }

    @Test func diffShowsStrategyAndChainChanges() throws {
        let old = try #require(Fixture.compile(Fixture.valid).table)
        let yaml = Fixture.replacing(
            lines: 25...28,
            with: """
                        strategy: round_robin
                        candidates:
                          - { providerName: beta, providerKeyName: prod }
                          - { providerName: alpha, providerKeyName: backup, enabled: false }
                """)
        let new = try #require(Fixture.compile(yaml).table)
        #expect(
            RouteDiff(old: old, new: new).render() == """
                ~ Bob / codex
                    strategy: weighted_rr → round_robin
                    chain: alpha/backup weight 3, beta/prod → beta/prod, alpha/backup (disabled)
                0 added, 0 removed, 1 changed

                """)
    }

    @Test func inspectAndDiffShowAdaptiveRoundRobin() throws {
        let old = try #require(Fixture.compile(Fixture.valid).table)
        let new = try #require(
            Fixture.compile(Fixture.replacing(line: 25, with: "        strategy: adaptive_rr")).table)
        let lines = TableInspector.render(new).split(separator: "\n").map {
            $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }
        #expect(
            lines[3]
                == "Bob codex adaptive_rr 1 alpha backup 3 yes https://api.alpha.test/v1 header Authorization: Bearer <redacted>"
        )
        #expect(
            lines[4]
                == "Bob codex adaptive_rr 2 beta prod 1 yes https://api.beta.test/codex?v=*** query api_key=<redacted>")
        #expect(
            RouteDiff(old: old, new: new).render() == """
                ~ Bob / codex
                    strategy: weighted_rr → adaptive_rr
                0 added, 0 removed, 1 changed

                """)
    }

    @Test func equalTablesHaveNoDiff() throws {
        let table = try #require(Fixture.compile(Fixture.valid).table)
        let diff = RouteDiff(old: table, new: table)
        #expect(diff.isEmpty)
        #expect(diff.render() == "no route changes\n")
    }

    @Test func aRenamedUserIsShownByName() throws {
        let old = try #require(Fixture.compile(Fixture.valid).table)
        let new = try #require(Fixture.compile(Fixture.replacing(line: 17, with: "  - name: Alicia")).table)
        #expect(RouteDiff(old: old, new: new).render().hasPrefix("~ user Alice is now named Alicia (same key)\n"))
    }
}

/// What inspect and diff print for each kind of credential value.
struct InjectionDescriptionTests {
    @Test func schemeWordsAndVariableNamesShowEverythingElseIsRedacted() throws {
        let yaml = Fixture.valid
            .replacingOccurrences(of: "      backup: sk-alpha-secret-2", with: "      backup: \"${ALPHA_BACKUP}\"")
            .replacingOccurrences(
                of: "    apiKeys: { prod: sk-beta-secret-3 }", with: "    apiKeys: { prod: \"pre-${BETA_PROD}\" }")
        let text = TableInspector.render(try #require(Fixture.compile(yaml).table))
        #expect(text.contains("header Authorization: Bearer <redacted>\n"))
        #expect(text.contains("header Authorization: Bearer ${ALPHA_BACKUP}\n"))
        #expect(text.contains("query api_key=<redacted>${BETA_PROD}\n"))
        let bare = TableInspector.render(
            try #require(
                Fixture.compile(Fixture.replacing(line: 9, with: "        auth: { name: x-api-key, prefix: \"\" }"))
                    .table))
        #expect(bare.contains("header x-api-key: <redacted>\n"))
    }
}
