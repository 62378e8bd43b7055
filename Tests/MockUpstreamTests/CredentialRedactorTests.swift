import MockUpstream
import Testing

@Suite struct CredentialRedactorTests {
    @Test(arguments: [
        "authorization", "X-API-Key", "api_key", "access_token", "x-goog-api-key", "Cookie", "client_secret",
    ])
    func credentialNamesAreSensitive(name: String) {
        #expect(CredentialRedactor.isSensitive(name: name))
    }

    @Test(arguments: ["content-type", "host", "x-request-id", "model", "stream", "user-agent"])
    func ordinaryNamesAreNot(name: String) {
        #expect(!CredentialRedactor.isSensitive(name: name))
    }

    @Test func bearerValueKeepsSchemeAndLengthOnly() {
        let redacted = CredentialRedactor.redact("Bearer sk-alpha-secret")
        #expect(redacted == "Bearer <redacted, 15 chars>")
        #expect(!redacted.contains("sk-"))
    }

    @Test func bareValueShowsLengthOnly() {
        #expect(CredentialRedactor.redact("qsecret-42") == "<redacted, 10 chars>")
        #expect(CredentialRedactor.redact("") == "<empty>")
    }

    @Test func valueWithoutAnAlphabeticSchemeIsRedactedWhole() {
        let redacted = CredentialRedactor.redact("sk-1 two")
        #expect(redacted == "<redacted, 8 chars>")
    }
}
