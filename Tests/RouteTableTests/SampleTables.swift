import RouteTable

/// Small tables built in code, shared by the codec tests.
enum SampleTables {
    static let alphaCodex = Target(
        provider: "provider-alpha", keyName: "main-key", serviceType: "codex",
        upstream: Upstream(
            scheme: .https, host: "api.provider-alpha.com", port: 443, basePath: "/v1/engines", baseQuery: ""),
        injection: Injection(
            mode: .header, name: "Authorization", value: SecretTemplate(parts: [.literal("Bearer sk-alpha-secret")])))

    static let alphaClaude = Target(
        provider: "provider-alpha", keyName: "backup-key", serviceType: "claude_code",
        upstream: Upstream(scheme: .http, host: "127.0.0.1", port: 8080, basePath: "/v1/claude", baseQuery: "tier=pro"),
        injection: Injection(
            mode: .header, name: "x-api-key", value: SecretTemplate(parts: [.variable("ALPHA_BACKUP_KEY")])))

    static let betaCodex = Target(
        provider: "provider-beta", keyName: "prod-key", serviceType: "codex",
        upstream: Upstream(scheme: .https, host: "[::1]", port: 8443, basePath: "", baseQuery: ""),
        injection: Injection(
            mode: .query, name: "api_key",
            value: SecretTemplate(parts: [.literal("sk%2Bbeta-"), .variable("BETA_SUFFIX")])))

    /// Three targets, two users, one route with a weighted chain.
    static func small() throws -> RouteTable {
        try RouteTable(
            targets: [betaCodex, alphaCodex, alphaClaude],
            users: [
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: "piapi-user-alice"), name: "Alice",
                    routes: [
                        Route(
                            service: "codex", strategy: .weightedRoundRobin,
                            candidates: [
                                .init(target: 1, weight: 3), .init(target: 0, weight: 1, enabled: false),
                            ]),
                        Route(service: "claude_code", candidates: [.init(target: 2)]),
                    ]),
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: "piapi-user-bob"), name: "Bob",
                    routes: [
                        Route(service: "codex", candidates: [.init(target: 0)])
                    ]),
            ])
    }

    static let prices: [String: ModelPrice] = [
        "claude-sonnet-4-5": ModelPrice(input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75),
        "gpt-4o-2024-08-06": ModelPrice(input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 2.5),
        "local-free": ModelPrice(input: 0, output: 0, cacheRead: 0, cacheWrite: 0),
    ]

    /// `small()` with prices, every kind of limit on Alice and one on Bob.
    static func priced() throws -> RouteTable {
        let table = try small()
        var users = table.users
        for i in users.indices {
            users[i].limits =
                users[i].name == "Alice"
                ? UserLimits(
                    requestsPerMinute: 60, concurrentRequests: 4, tokensPerDay: 20_000_000,
                    tokensPerMonth: UserLimits.maxCount,
                    usdPerDay: 0.1 + 0.2, usdPerMonth: 200)
                : UserLimits(tokensPerDay: 1)
        }
        return try RouteTable(targets: table.targets, users: users, prices: prices)
    }
}
