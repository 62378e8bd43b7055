import RouteTable
import Testing

@testable import PiapiGateway

/// What of a target's credential a response head is searched for.
@Suite struct InjectedCredentialTests {
    private static func target(_ mode: Injection.Mode, name: String, credential: String) -> PreparedTarget {
        PreparedTarget(
            target: Target(
                provider: "p", keyName: "k", serviceType: "s",
                upstream: Upstream(scheme: .http, host: "h", port: 80, basePath: "", baseQuery: ""),
                injection: Injection(mode: mode, name: name, value: SecretTemplate(literal: credential))),
            credential: credential)
    }

    private static func contains(_ credential: InjectedCredential, _ text: String) -> Bool {
        Array(text.utf8).withUnsafeBytes { credential.isContained(in: $0, 0..<$0.count) }
    }

    @Test func theBareKeyAfterASchemeWordCounts() {
        let credential = InjectedCredential(
            Self.target(.header, name: "Authorization", credential: "Bearer sk-abcdefgh"))
        #expect(Self.contains(credential, "Bearer sk-abcdefgh"))
        #expect(Self.contains(credential, "invalid key sk-abcdefgh!"))
        #expect(!Self.contains(credential, "sk-abcdefg"))
        #expect(!Self.contains(credential, "Bearer"))
    }

    @Test func aShortTailIsNotSearchedAlone() {
        // `x` is too common to search for: only the whole value counts.
        let credential = InjectedCredential(Self.target(.header, name: "Authorization", credential: "Basic x"))
        #expect(Self.contains(credential, "Basic x"))
        #expect(!Self.contains(credential, "max-age=0"))
    }

    @Test func aValueWithoutSchemeWordCountsWhole() {
        let credential = InjectedCredential(Self.target(.header, name: "x-goog-api-key", credential: "AIzaSyA-123"))
        #expect(Self.contains(credential, "key=AIzaSyA-123"))
        #expect(!Self.contains(credential, "AIzaSyA-12"))
    }

    @Test func aQueryValueCountsAsSentAndDecoded() {
        let credential = InjectedCredential(Self.target(.query, name: "api_key", credential: "ab%2Bcd%2F"))
        #expect(credential.queryItemName == Array("api_key".utf8))
        #expect(Self.contains(credential, "x ab%2Bcd%2F y"))
        #expect(Self.contains(credential, "x ab+cd/ y"))
        #expect(Self.contains(credential, "x ab%2bcd%2f y"))
        #expect(Self.contains(credential, "x %61b+cd/ y"))
        #expect(!Self.contains(credential, "ab+cd"))
        #expect(!Self.contains(credential, "ab%2Bcd"))
    }
}
