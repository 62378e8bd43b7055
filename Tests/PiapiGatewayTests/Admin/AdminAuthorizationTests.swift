import Testing

@testable import PiapiGateway

@Suite("Admin token and address")
struct AdminAuthorizationTests {
    static let token = "admin-token-0123456789abcdef"

    static func basic(_ user: String, _ password: String) -> String {
        "Basic " + Base64.encode(Array("\(user):\(password)".utf8))
    }

    @Test("Bearer and Basic (any user name) with the token pass; anything else does not")
    func tokenForms() {
        let auth = AdminAuthorization(token: Self.token)
        #expect(auth.requiresToken)
        #expect(auth.allows(authorization: "Bearer \(Self.token)"))
        #expect(auth.allows(authorization: "bearer \(Self.token)"))
        #expect(auth.allows(authorization: Self.basic("admin", Self.token)))
        #expect(auth.allows(authorization: Self.basic("", Self.token)))
        #expect(auth.allows(authorization: Self.basic("who:ever", Self.token)) == false)
        #expect(auth.allows(authorization: nil) == false)
        #expect(auth.allows(authorization: "") == false)
        #expect(auth.allows(authorization: "Bearer") == false)
        #expect(auth.allows(authorization: "Bearer \(Self.token)x") == false)
        #expect(auth.allows(authorization: "Bearer \(Self.token.dropLast())") == false)
        #expect(auth.allows(authorization: "Token \(Self.token)") == false)
        #expect(auth.allows(authorization: Self.basic(Self.token, "wrong")) == false)
        #expect(auth.allows(authorization: "Basic !!!notbase64") == false)
    }

    @Test("no token: every request passes")
    func noToken() {
        for token in [nil, ""] as [String?] {
            let auth = AdminAuthorization(token: token)
            #expect(!auth.requiresToken)
            #expect(auth.allows(authorization: nil))
            #expect(auth.allows(authorization: "Bearer anything"))
        }
    }

    @Test("base64 round trip and the constant-time comparison")
    func helpers() {
        for text in ["", "a", "ab", "abc", "abcd", "user:pa:ss", "ü✓"] {
            #expect(Base64.decode(Base64.encode(Array(text.utf8)).utf8) == Array(text.utf8))
        }
        #expect(Base64.encode(Array("hello".utf8)) == "aGVsbG8=")
        #expect(Base64.decode("aGVsbG8".utf8) == Array("hello".utf8))
        #expect(AdminAuthorization.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!AdminAuthorization.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!AdminAuthorization.constantTimeEqual([1, 2, 3], [1, 2]))
    }

    @Test(
        "loopback addresses",
        arguments: [
            ("127.0.0.1", true), ("127.1.2.3", true), ("localhost", true), ("::1", true), ("0:0:0:0:0:0:0:1", true),
            ("::ffff:127.0.0.1", true), ("0.0.0.0", false), ("::", false), ("10.0.0.1", false), ("192.168.1.1", false),
            ("example.com", false), ("128.0.0.1", false), ("::2", false), ("1::1", false),
        ])
    func loopback(host: String, expected: Bool) {
        #expect(AdminConfiguration.isLoopback(host) == expected)
    }

    @Test("a non-loopback address needs a token of at least 16 characters; the reason never shows it")
    func refusal() throws {
        let open = ListenAddress(host: "0.0.0.0", port: 9300)
        #expect(AdminConfiguration(listen: open).refusal?.contains("PIAPI_ADMIN_TOKEN") == true)
        #expect(AdminConfiguration(listen: open, token: "").refusal != nil)
        let short = "fifteen-chars-x"
        let shortRefusal = try #require(AdminConfiguration(listen: open, token: short).refusal)
        #expect(shortRefusal.contains("at least 16"))
        #expect(!shortRefusal.contains(short))
        #expect(AdminConfiguration(listen: open, token: "sixteen-chars-xx").refusal == nil)
        #expect(AdminConfiguration(listen: ListenAddress(host: "127.0.0.1", port: 9300)).refusal == nil)
        #expect(AdminConfiguration(listen: ListenAddress(host: "::1", port: 9300), token: "short").refusal == nil)
    }

    @Test("GatewayProcess reads the token from its environment before anything starts")
    func processToken() throws {
        var configuration = GatewayConfiguration()
        configuration.admin = AdminConfiguration(listen: ListenAddress(host: "0.0.0.0", port: 0))
        let without = GatewayProcess(
            tablePath: "/nonexistent", configuration: configuration, logLevel: .info, environment: [:])
        #expect(throws: GatewayStartupError.self) { try without.adminConfiguration() }
        let with = GatewayProcess(
            tablePath: "/nonexistent", configuration: configuration, logLevel: .info,
            environment: ["PIAPI_ADMIN_TOKEN": Self.token])
        #expect(try with.adminConfiguration()?.token == Self.token)
    }
}
