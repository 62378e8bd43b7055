import Foundation
import PiapiCompiler
import RouteTable
import Testing

/// The compiled table: injections per auth mode, round trips through both encodings,
/// lookups, and deterministic bytes.
struct TableBuilderTests {
    private func route(_ yaml: String, key: String, service: String = "codex") throws -> (Route, RouteTable) {
        let outcome = Fixture.compile(yaml)
        let table = try #require(outcome.table, "\(outcome.diagnostics)")
        let found = try #require(table.lookup(digest: KeyDigest(ofKey: key), service: service))
        return (found.route, table)
    }

    private func injection(_ yaml: String, key: String = "user-alice-secret") throws -> Injection {
        let (route, table) = try route(yaml, key: key)
        let target = try #require(route.candidates.first?.target)
        return table.targets[target].injection
    }

    @Test func explicitHeaderAuthInjectsPrefixAndKey() throws {
        let injection = try injection(Fixture.valid)
        #expect(injection.mode == .header)
        #expect(injection.name == "Authorization")
        #expect(try injection.resolvedValue { _ in nil } == "Bearer sk-alpha-secret-1")
    }

    @Test func noAuthBlockMeansAuthorizationBearer() throws {
        let injection = try injection(Fixture.replacing(line: 9, with: "        # no auth block"))
        #expect(injection.mode == .header && injection.name == "Authorization")
        #expect(try injection.resolvedValue { _ in nil } == "Bearer sk-alpha-secret-1")
    }

    @Test func headerModeWithoutPrefixKeyUsesBearer() throws {
        let injection = try injection(
            Fixture.replacing(line: 9, with: "        auth: { mode: header, name: Authorization }"))
        #expect(try injection.resolvedValue { _ in nil } == "Bearer sk-alpha-secret-1")
    }

    @Test func anEmptyPrefixMeansTheBareKey() throws {
        let injection = try injection(
            Fixture.replacing(line: 9, with: "        auth: { name: x-api-key, prefix: \"\" }"))
        #expect(injection.name == "x-api-key")
        #expect(try injection.resolvedValue { _ in nil } == "sk-alpha-secret-1")
    }

    @Test func queryModeEncodesNameAndLiteralValue() throws {
        var yaml = Fixture.replacing(line: 4, with: "      main: \"sk+a/b=\"")
        yaml = yaml.replacingOccurrences(
            of: "        auth: { mode: header, name: Authorization, prefix: \"Bearer \" }",
            with: "        auth: { mode: query, name: \"api key\" }")
        let injection = try injection(yaml)
        #expect(injection.mode == .query)
        #expect(injection.name == "api%20key")
        #expect(injection.value == SecretTemplate(parts: [.literal("sk%2Ba%2Fb%3D")]))
    }

    @Test func variablesStayReferences() throws {
        let injection = try injection(Fixture.replacing(line: 4, with: "      main: \"${ALPHA_MAIN}\""))
        #expect(injection.value == SecretTemplate(parts: [.literal("Bearer "), .variable("ALPHA_MAIN")]))
        #expect(try injection.resolvedValue { $0 == "ALPHA_MAIN" ? "from-env" : nil } == "Bearer from-env")
    }

    @Test func theCandidateFormKeepsStrategyWeightsAndOrder() throws {
        let (route, table) = try route(
            Fixture.replacing(
                line: 28, with: "          - { providerName: beta, providerKeyName: prod, enabled: false }"),
            key: "user-bob-secret")
        #expect(route.strategy == .weightedRoundRobin)
        #expect(route.candidates.map(\.weight) == [3, 1])
        #expect(route.candidates.map(\.enabled) == [true, false])
        #expect(route.candidates.map { table.targets[$0.target].keyName } == ["backup", "prod"])
        let beta = table.targets[route.candidates[1].target]
        #expect(
            beta.upstream
                == Upstream(scheme: .https, host: "api.beta.test", port: 443, basePath: "/codex", baseQuery: "v=2"))
    }

    @Test func strategyDefaultsToFailover() throws {
        let (route, _) = try route(
            Fixture.replacing(line: 25, with: "        # default strategy"), key: "user-bob-secret")
        #expect(route.strategy == .failover)
    }

    @Test func baseUrlIsSplitIntoTheUpstream() throws {
        let (route, table) = try route(
            Fixture.replacing(line: 8, with: "        baseUrl: http://[::1]:8080/v1/?a=b&c"), key: "user-alice-secret")
        let upstream = table.targets[route.candidates[0].target].upstream
        #expect(upstream == Upstream(scheme: .http, host: "[::1]", port: 8080, basePath: "/v1/", baseQuery: "a=b&c"))
    }

    @Test func theTableDecodesBackFromBothEncodings() throws {
        let table = try #require(Fixture.compile(Fixture.valid).table)
        #expect(try TableFile.decode(TableFile.encode(table, as: .binary)) == table)
        #expect(try TableFile.decode(TableFile.encode(table, as: .json)) == table)
        #expect(table.lookup(digest: KeyDigest(ofKey: "user-alice-secret"), service: "codex")?.user.name == "Alice")
        #expect(table.lookup(digest: KeyDigest(ofKey: "not-a-user"), service: "codex") == nil)
    }

    @Test func theSameConfigGivesTheSameBytes() throws {
        let first = try #require(Fixture.compile(Fixture.valid).table)
        let second = try #require(Fixture.compile(Fixture.valid).table)
        #expect(TableFile.encode(first, as: .binary) == TableFile.encode(second, as: .binary))
        #expect(TableFile.encode(first, as: .json) == TableFile.encode(second, as: .json))
    }

    @Test func aByteOrderMarkAndWindowsLineEndingsAreAccepted() throws {
        let crlf = Fixture.valid.replacingOccurrences(of: "\n", with: "\r\n")
        let outcome = ConfigCompiler.compile([0xEF, 0xBB, 0xBF] + Array(crlf.utf8), fileName: "config.yaml")
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        #expect(outcome.table == Fixture.compile(Fixture.valid).table)
        let broken = ConfigCompiler.compile(
            [0xEF, 0xBB, 0xBF]
                + Array(
                    Fixture.replacing(line: 2, with: "  - name: \" \"").replacingOccurrences(of: "\n", with: "\r\n")
                        .utf8), fileName: "c.yaml")
        #expect(broken.diagnostics.first?.location == SourceLocation(line: 2, column: 11))
        #expect(
            HumanDiagnosticFormatter.format(broken.diagnostics, source: broken.source).contains(
                "  - name: \" \"\n          ^\n"))
    }
}
