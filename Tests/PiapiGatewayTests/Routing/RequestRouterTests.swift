import NIOCore
import RouteTable
import Testing

@testable import PiapiGateway

/// Every routing rule as a value: head + table in, local answer / refusal / plan out, in the
/// order the rules apply. No server, no socket.
@Suite struct RequestRouterTests {
    static let aliceKey = "piapi-alice"
    static let bobKey = "piapi-bob"

    static func table(aliceLimits: UserLimits = .unlimited, secondCandidateEnabled: Bool = true) throws -> RouteTable {
        let targets = ["alpha", "beta"].map { provider in
            Target(
                provider: provider, keyName: "main", serviceType: "codex",
                upstream: Upstream(scheme: .http, host: "127.0.0.1", port: 9, basePath: "/v1", baseQuery: ""),
                injection: Injection(
                    mode: .header, name: "Authorization", value: SecretTemplate(literal: "Bearer sk-\(provider)")))
        }
        return try RouteTable(
            targets: targets,
            users: [
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: aliceKey), name: "alice",
                    routes: [
                        Route(service: "codex", candidates: [.init(target: 0)]),
                        Route(service: "off", candidates: [.init(target: 0, enabled: false)]),
                        Route(
                            service: "pair",
                            candidates: [
                                .init(target: 0),
                                .init(target: 1, enabled: secondCandidateEnabled),
                            ]),
                    ],
                    limits: aliceLimits),
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: bobKey), name: "bob",
                    routes: [Route(service: "codex", candidates: [.init(target: 1)])]),
            ])
    }

    static func head(_ text: String) throws -> RequestHead {
        try RequestHead(parsing: ByteBuffer(string: text))
    }

    static func route(
        _ text: String, table: RouteTable? = nil, body: String = "", refused: Bool = false,
        metrics: Bool = true, order: [Int] = [0, 1],
        admit: LimitDecision = .admitted(nil)
    ) throws -> RoutingDecision {
        RequestRouter(publicMetrics: metrics).route(
            try head(text), methodRefused: refused, table: try table ?? Self.table(),
            bufferedBody: ByteBuffer(string: body), order: { _, _ in order },
            admit: { _ in admit })
    }

    static func refusal(_ decision: RoutingDecision) -> RoutingRefusal? {
        if case .refuse(let refusal) = decision { return refusal }
        return nil
    }

    static func plan(_ decision: RoutingDecision) -> ProxyPlan? {
        if case .proxy(let plan) = decision { return plan }
        return nil
    }

    @Test func localEndpoints() throws {
        guard case .healthz = try Self.route("GET /healthz HTTP/1.1\r\n\r\n") else {
            Issue.record("not healthz")
            return
        }
        guard case .metrics = try Self.route("GET /metrics HTTP/1.1\r\n\r\n") else {
            Issue.record("not metrics")
            return
        }
        let hidden = Self.refusal(try Self.route("GET /metrics HTTP/1.1\r\n\r\n", metrics: false))
        #expect(hidden?.error == .noService)
        #expect(Self.refusal(try Self.route("GET /elsewhere HTTP/1.1\r\n\r\n"))?.error == .noService)
    }

    @Test func aRefusedMethodIsRefusedBeforeAnythingElse() throws {
        let refusal = Self.refusal(
            try Self.route(
                "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(Self.aliceKey)\r\n\r\n",
                refused: true))
        #expect(refusal?.error == .methodNotAllowed)
        #expect(refusal?.user == nil)
    }

    @Test func aPathLeavingTheBaseIsRefusedBeforeTheKeyIsLookedAt() throws {
        let refusal = Self.refusal(try Self.route("GET /piapi/codex/../x HTTP/1.1\r\n\r\n"))
        #expect(refusal?.error == .badPath)
    }

    @Test func keys() throws {
        let missing = Self.refusal(try Self.route("GET /piapi/codex/x HTTP/1.1\r\n\r\n"))
        #expect(missing?.error == .missingKey)
        let unknown = Self.refusal(
            try Self.route("GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer nobody\r\n\r\n"))
        #expect(unknown?.error == .missingKey)
        let both =
            "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(Self.aliceKey)\r\nx-api-key: \(Self.bobKey)\r\n\r\n"
        #expect(Self.refusal(try Self.route(both))?.error == .conflictingKeys)
        // An unknown key beside a known one is not an error: the known one is the user's.
        let personal =
            "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(Self.aliceKey)\r\nx-api-key: sk-own\r\n\r\n"
        #expect(Self.plan(try Self.route(personal))?.user.name == "alice")
        let apiKeyOnly = "GET /piapi/codex/x HTTP/1.1\r\nx-api-key: \(Self.bobKey)\r\n\r\n"
        #expect(Self.plan(try Self.route(apiKeyOnly))?.user.name == "bob")
        let same =
            "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(Self.bobKey)\r\nx-api-key: \(Self.bobKey)\r\n\r\n"
        #expect(Self.plan(try Self.route(same))?.user.name == "bob")
    }

    @Test func aKnownUserWithoutTheServiceGetsNoRouteWithTheirName() throws {
        let refusal = Self.refusal(
            try Self.route("GET /piapi/chat/x HTTP/1.1\r\nauthorization: Bearer \(Self.bobKey)\r\n\r\n"))
        #expect(refusal?.error == .noRoute)
        #expect(refusal?.user == "bob")
        #expect(refusal?.service == "chat")
    }

    @Test func aVisiblyBrokenChunkedBodyIsRefusedAndClosesTheConnection() throws {
        let head =
            "POST /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(Self.aliceKey)\r\ntransfer-encoding: chunked\r\n\r\n"
        let refusal = Self.refusal(try Self.route(head, body: "zz\r\n"))
        #expect(refusal?.error == .badChunked)
        #expect(refusal?.closeClient == true)
        #expect(Self.plan(try Self.route(head, body: "5\r\nhel")) != nil)
    }

    @Test func plans() throws {
        let single = try #require(
            Self.plan(try Self.route("GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(Self.aliceKey)\r\n\r\n")))
        #expect(single.plan.targets == [0])
        #expect(!single.plan.failsOver)
        #expect(single.serviceType == "codex")
        #expect(single.limitedUser == nil)
        let pair = try #require(
            Self.plan(
                try Self.route(
                    "GET /piapi/pair/x HTTP/1.1\r\nauthorization: Bearer \(Self.aliceKey)\r\n\r\n",
                    order: [1, 0])))
        #expect(pair.plan.targets == [1, 0])
        #expect(pair.plan.route == RouteKey(user: "alice", service: "pair"))
        let off = Self.refusal(
            try Self.route("GET /piapi/off/x HTTP/1.1\r\nauthorization: Bearer \(Self.aliceKey)\r\n\r\n"))
        #expect(off?.error == .noEnabledCandidate)
        let noneReady = Self.refusal(
            try Self.route(
                "GET /piapi/pair/x HTTP/1.1\r\nauthorization: Bearer \(Self.aliceKey)\r\n\r\n",
                order: []))
        #expect(noneReady?.error == .noEnabledCandidate)
        #expect(noneReady?.user == "alice")
    }

    @Test func limitsAreAskedOnlyForALimitedUserAndOnlyOnceThePlanStands() throws {
        let status = RateLimitStatus(kind: .requestsPerMinute, limit: 2, remaining: 0, reset: 30)
        let refusal = LimitRefusal(kind: .requestsPerMinute, value: "2", retryAfter: 30, status: status)
        let limited = try Self.table(aliceLimits: UserLimits(requestsPerMinute: 2))
        let head = "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(Self.aliceKey)\r\n\r\n"
        let refused = try #require(Self.refusal(try Self.route(head, table: limited, admit: .refused(refusal))))
        #expect(refused.error.status == 429)
        #expect(refused.limit == .requestsPerMinute)
        #expect(
            refused.extraHeaders.map(\.0) == [
                "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset",
            ])
        let admitted = try #require(Self.plan(try Self.route(head, table: limited, admit: .admitted(status))))
        #expect(admitted.admission == status)
        #expect(admitted.limitedUser == KeyDigest(ofKey: Self.aliceKey))
        // Not limited: a refusing counter is never consulted.
        #expect(Self.plan(try Self.route(head, admit: .refused(refusal))) != nil)
        // No enabled candidate comes before the limit (nothing is counted for it).
        let off = "GET /piapi/off/x HTTP/1.1\r\nauthorization: Bearer \(Self.aliceKey)\r\n\r\n"
        #expect(
            Self.refusal(try Self.route(off, table: limited, admit: .refused(refusal)))?.error == .noEnabledCandidate)
    }
}
