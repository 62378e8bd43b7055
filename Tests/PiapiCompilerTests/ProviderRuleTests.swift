import PiapiCompiler
import Testing

/// Rules of contract §2 about providers, their keys, services, URLs and auth blocks.
struct ProviderRuleTests {
    static let cases: [RuleCase] = [
        RuleCase(
            "provider name is required", Fixture.replacing(line: 10, with: "  -"), at: 11, 5,
            "provider is missing required field 'name'"),
        RuleCase(
            "provider name must not be empty", Fixture.replacing(line: 10, with: "  - name: \" \""), at: 10, 11,
            "provider name must not be empty"),
        RuleCase(
            "provider names are unique", Fixture.replacing(line: 10, with: "  - name: alpha"), at: 10, 11,
            "duplicate provider name 'alpha' (first at line 2)"),
        RuleCase(
            "apiKeys is required", Fixture.replacing(line: 11, with: "    apiKeyz: { prod: sk-beta-secret-3 }"), at: 10,
            5, "provider is missing required field 'apiKeys'"),
        RuleCase(
            "apiKeys must not be empty", Fixture.replacing(line: 11, with: "    apiKeys: {}"), at: 11, 14,
            "apiKeys must not be empty"),
        RuleCase(
            "apiKeys must be a mapping", Fixture.replacing(line: 11, with: "    apiKeys: [sk-beta-secret-3]"), at: 11,
            14, "apiKeys must be a mapping, found a sequence"),
        RuleCase(
            "key names must not be empty", Fixture.replacing(line: 11, with: "    apiKeys: { \"\": sk-beta-secret-3 }"),
            at: 11, 16, "key names must not be empty"),
        RuleCase(
            "key values must not be empty", Fixture.replacing(line: 11, with: "    apiKeys: { prod: \"  \" }"), at: 11,
            22, "the value of key 'prod' must not be empty"),
        RuleCase(
            "key names are unique after trimming",
            Fixture.replacing(line: 11, with: "    apiKeys: { prod: sk-beta-secret-3, \" prod\": sk-x }"), at: 11, 40,
            "duplicate key name 'prod'"),
        RuleCase(
            "malformed ${VAR} reference", Fixture.replacing(line: 4, with: "      main: \"${ALPHA-KEY}\""), at: 4, 13,
            "has a malformed ${…} reference"),
        RuleCase(
            "${VAR} may not name piapi-serve's own secrets",
            Fixture.replacing(line: 4, with: "      main: \"Bearer ${PIAPI_ADMIN_TOKEN}\""), at: 4, 13,
            "refers to ${PIAPI_ADMIN_TOKEN}, one of piapi-serve's own secrets"),
        RuleCase(
            "unterminated ${VAR} reference", Fixture.replacing(line: 4, with: "      main: \"${ALPHA_KEY\""), at: 4, 13,
            "has an unterminated ${…} reference"),
        RuleCase(
            "services must not be empty", Fixture.replacing(lines: 12...15, with: "    services: []"), at: 12, 15,
            "services must not be empty"),
        RuleCase(
            "services must be a sequence", Fixture.replacing(lines: 12...15, with: "    services: { type: codex }"),
            at: 12, 15, "services must be a sequence, found a mapping"),
        RuleCase(
            "service type is required", Fixture.replacing(line: 13, with: "      - typ: codex"), at: 13, 9,
            "service is missing required field 'type'"),
        RuleCase(
            "service type is unique per provider",
            Fixture.inserting("      - { type: codex, baseUrl: \"https://b.test\" }", before: 10), at: 10, 17,
            "duplicate service type 'codex'"),
        RuleCase(
            "baseUrl is required", Fixture.replacing(line: 14, with: "        url: https://api.beta.test"), at: 13, 9,
            "service is missing required field 'baseUrl'"),
        RuleCase(
            "auth.mode is header or query", Fixture.replacing(line: 15, with: "        auth: { mode: heder }"), at: 15,
            23, "auth.mode must be 'header' or 'query'"),
        RuleCase(
            "auth.name is a header token in header mode",
            Fixture.replacing(line: 9, with: "        auth: { name: \"x api key\" }"), at: 9, 23,
            "auth.name is not a valid HTTP header name"),
        RuleCase(
            "auth.name is not a header the gateway manages",
            Fixture.replacing(line: 9, with: "        auth: { name: Host }"), at: 9, 23,
            "auth.name 'Host' is a header the gateway manages"),
        RuleCase(
            "service type is a path segment", Fixture.replacing(line: 13, with: "      - type: code/x"), at: 13, 15,
            "service type 'code/x' cannot appear in /piapi/<service_type>/"),
        RuleCase(
            "auth.name is required in query mode", Fixture.replacing(line: 15, with: "        auth: { mode: query }"),
            at: 15, 15, "auth is missing required field 'name'"),
        RuleCase(
            "auth.prefix is header mode only",
            Fixture.replacing(line: 15, with: "        auth: { mode: query, name: api_key, prefix: \"x\" }"), at: 15,
            45, "auth.prefix applies only to header mode"),
        RuleCase(
            "auth must be a mapping", Fixture.replacing(line: 15, with: "        auth: header"), at: 15, 15,
            "auth must be a mapping, found a scalar"),
        RuleCase(
            "unknown field", Fixture.replacing(line: 14, with: "        baseURL: https://api.beta.test/codex"), at: 14,
            9, "unknown field 'baseURL' in service"),
        RuleCase(
            "duplicate mapping key", Fixture.inserting("    name: alpha2", before: 3), at: 3, 5,
            "duplicate key 'name' in this mapping (first at line 2)"),
        RuleCase("providers is required", "users: []\n", at: 1, 1, "the config is missing required field 'providers'"),
        RuleCase("root must be a mapping", "- providers\n", at: 1, 1, "the config must be a mapping, found a sequence"),
    ]

    @Test(arguments: cases)
    func rule(_ rule: RuleCase) {
        rule.verify()
    }

    static let badURLs: [(String, String)] = [
        ("api.beta.test/codex", "absolute http:// or https:// URL"),
        ("ftp://api.beta.test/codex", "absolute http:// or https:// URL"),
        ("https:///codex", "baseUrl has no host"),
        ("https://api.beta.test/codex#part", "must not have a fragment"),
        ("https://user:pw@api.beta.test/codex", "credentials do not belong in baseUrl"),
        ("https://api.beta.test:0/codex", "port must be a number from 1 to 65535"),
        ("https://api.beta.test:70000/codex", "port must be a number from 1 to 65535"),
        ("https://api.beta.test:https/codex", "port must be a number from 1 to 65535"),
        ("https://api beta.test/codex", "must not contain spaces"),
    ]

    @Test(arguments: badURLs)
    func baseUrlRule(_ url: String, _ message: String) {
        RuleCase(
            "baseUrl \(url)", Fixture.replacing(line: 14, with: "        baseUrl: \"\(url)\""), at: 14, 18, message
        ).verify()
    }

    @Test func unknownFieldSuggestsTheClosestName() throws {
        let outcome = Fixture.compile(Fixture.replacing(line: 14, with: "        baseURL: https://api.beta.test/codex"))
        let diagnostic = try #require(outcome.diagnostics.first { $0.message.contains("unknown field 'baseURL'") })
        #expect(diagnostic.note == "did you mean 'baseUrl'?")
    }

    @Test func unknownFieldFarFromAnyNameListsTheFields() throws {
        let outcome = Fixture.compile(
            Fixture.replacing(line: 14, with: "        zzzzzzzz: https://api.beta.test/codex"))
        let diagnostic = try #require(outcome.diagnostics.first { $0.message.contains("unknown field 'zzzzzzzz'") })
        #expect(diagnostic.note == "expected one of: 'type', 'baseUrl', 'auth'")
    }

    @Test func theFixtureIsValidWithoutDiagnostics() {
        let outcome = Fixture.compile(Fixture.valid)
        #expect(outcome.diagnostics.isEmpty)
        #expect(outcome.table?.routeCount == 2)
    }
}
