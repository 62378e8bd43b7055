import RouteTable
import Testing

@Suite struct SecretTemplateTests {
    @Test func parsesReferencesAndLiterals() throws {
        #expect(try SecretTemplate.parse("sk-plain") == SecretTemplate(parts: [.literal("sk-plain")]))
        #expect(try SecretTemplate.parse("${ALPHA_KEY}") == SecretTemplate(parts: [.variable("ALPHA_KEY")]))
        #expect(
            try SecretTemplate.parse("pre-${A}-${_b2}$x$")
                == SecretTemplate(parts: [
                    .literal("pre-"), .variable("A"), .literal("-"), .variable("_b2"), .literal("$x$"),
                ]))
    }

    @Test func rejectsMalformedReferences() {
        #expect(throws: SecretTemplate.ParseError.unterminated) { try SecretTemplate.parse("${OPEN") }
        #expect(throws: SecretTemplate.ParseError.invalidName("")) { try SecretTemplate.parse("${}") }
        #expect(throws: SecretTemplate.ParseError.invalidName("1X")) { try SecretTemplate.parse("${1X}") }
        #expect(throws: SecretTemplate.ParseError.invalidName("A-B")) { try SecretTemplate.parse("${A-B}") }
    }

    @Test func resolvesFromTheEnvironmentAndNamesWhatIsMissing() throws {
        let template = try SecretTemplate.parse("Bearer ${KEY}")
        #expect(try template.resolve { $0 == "KEY" ? "sk-1" : nil } == "Bearer sk-1")
        #expect(throws: UnresolvedVariable(name: "KEY")) { try template.resolve { _ in nil } }
    }

    /// CR/LF would add header lines upstream; a Windows `.env` leaves a trailing CR; an empty
    /// value sends a bare prefix. Each is refused like an unset variable, by name.
    @Test(arguments: ["sk-x\r\nX-Injected: yes", "sk-x\r", "", "sk\tx", "sk\u{7F}", "\u{0}"])
    func unusableValuesAreRefusedByName(value: String) throws {
        for mode in [Injection.Mode.header, .query] {
            let injection = Injection(
                mode: mode, name: "k", value: SecretTemplate(parts: [.literal("Bearer "), .variable("KEY")]))
            let error = try #require(throws: UnresolvedVariable.self) { try injection.resolvedValue { _ in value } }
            #expect(error.name == "KEY")
        }
    }

    @Test func queryInjectionEncodesResolvedValues() throws {
        let injection = Injection(mode: .query, name: "api_key", value: SecretTemplate(parts: [.variable("K")]))
        #expect(try injection.resolvedValue { _ in "a b&c=d/é" } == "a%20b%26c%3Dd%2F%C3%A9")
        let header = Injection(mode: .header, name: "x-api-key", value: SecretTemplate(parts: [.variable("K")]))
        #expect(try header.resolvedValue { _ in "a b" } == "a b")
    }

    @Test func redactedDescriptionsHideLiteralsButNameVariables() {
        let literal = Injection(
            mode: .header, name: "Authorization", value: SecretTemplate(literal: "Bearer sk-secret"))
        #expect(literal.redactedDescription == "header Authorization: <redacted>")
        let reference = Injection(mode: .query, name: "api_key", value: SecretTemplate(parts: [.variable("BETA")]))
        #expect(reference.redactedDescription == "query api_key=${BETA}")
    }
}
