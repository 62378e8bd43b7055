import Foundation
import MockUpstream
import PiapiTestSupport
import RouteTable
import Testing

/// A real piapi-serve with `--admin-listen 127.0.0.1:0` in front of the mock upstream (which
/// answers 200), an upstream that answers 401 (a revoked key) and a port nothing listens on,
/// over a table with literal secrets; `traffic()` sends a mix of requests and a bad and a good
/// reload, so every admin answer has something in it.
///
/// alice: codex = failover over revoked/old-key (401: cools down 10 min) then alpha/main-key.
/// bob: codex = weighted_rr alpha/main-key ×3 + beta/prod-key; claude_code = nowhere/dead-key (502).
/// carol (added by the good reload): codex = beta/prod-key.
struct AdminServe {
    static let userKeys = [
        "alice": "piapi-admin-e2e-alice-key", "bob": "piapi-admin-e2e-bob-key",
        "carol": "piapi-admin-e2e-carol-key",
    ]
    static let upstreamSecrets = [
        "sk-admin-e2e-alpha-secret", "sk-admin-e2e-beta-secret", "sk-admin-e2e-revoked-secret",
        "sk-admin-e2e-dead-secret",
    ]
    static let token = "admin-e2e-token-0123456789abcdef"

    let mock: MockUpstreamServer
    let rejecting: RejectingUpstream
    let process: Process
    let gatewayPort: Int
    let adminPort: Int
    let tablePath: String
    let outputPath: String
    let deadPort: Int
    let mockPort: Int
    /// The `Authorization` header admin requests send (nil without a token).
    let authorization: String?

    static func table(mockPort: Int, rejectingPort: Int, deadPort: Int, withCarol: Bool) throws -> RouteTable {
        func target(_ provider: String, _ key: String, _ service: String, port: Int, secret: String) -> Target {
            Target(
                provider: provider, keyName: key, serviceType: service,
                upstream: Upstream(
                    scheme: .http, host: "127.0.0.1", port: UInt16(port), basePath: "/\(provider)", baseQuery: ""),
                injection: Injection(
                    mode: .header, name: "Authorization", value: SecretTemplate(literal: "Bearer \(secret)")))
        }
        let targets = [
            target("alpha", "main-key", "codex", port: mockPort, secret: upstreamSecrets[0]),
            target("beta", "prod-key", "codex", port: mockPort, secret: upstreamSecrets[1]),
            target("revoked", "old-key", "codex", port: rejectingPort, secret: upstreamSecrets[2]),
            target("nowhere", "dead-key", "claude_code", port: deadPort, secret: upstreamSecrets[3]),
        ]
        var users = [
            UserRoutes(
                keyDigest: KeyDigest(ofKey: userKeys["alice"]!), name: "alice",
                routes: [
                    Route(service: "codex", strategy: .failover, candidates: [.init(target: 2), .init(target: 0)])
                ]),
            UserRoutes(
                keyDigest: KeyDigest(ofKey: userKeys["bob"]!), name: "bob",
                routes: [
                    Route(
                        service: "codex", strategy: .weightedRoundRobin,
                        candidates: [.init(target: 0, weight: 3), .init(target: 1)]),
                    Route(service: "claude_code", candidates: [.init(target: 3)]),
                ]),
        ]
        if withCarol {
            users.append(
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: userKeys["carol"]!), name: "carol",
                    routes: [
                        Route(service: "codex", candidates: [.init(target: 1)])
                    ]))
        }
        return try RouteTable(targets: targets, users: users)
    }

    static func start(token: String? = AdminServe.token, extraArguments: [String] = []) async throws -> AdminServe {
        let mock = try await MockUpstreamServer.bind(
            settings: MockUpstreamSettings(
                listen: ListenAddress(host: "127.0.0.1", port: 0), events: 3, delayMilliseconds: 10),
            report: { _ in })
        Task { try? await mock.run() }
        let mockPort = try #require(mock.localAddress.port)
        let rejecting = try await RejectingUpstream.start()
        let deadPort = try await ServeProcess.unusedPort()
        let directory = try ServeProcess.makeDirectory()
        let tablePath = directory + "/routes.bin"
        let outputPath = directory + "/stdout.log"
        let table = try table(mockPort: mockPort, rejectingPort: rejecting.port, deadPort: deadPort, withCarol: false)
        try TableFile.writeAtomically(TableFile.encode(table, as: .binary), to: tablePath)
        var environment: [String: String] = [:]
        if let token { environment["PIAPI_ADMIN_TOKEN"] = token }
        let process = try ServeProcess.start(
            [
                tablePath, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
                "--drain-timeout", "5",
            ] + extraArguments,
            environment: environment, outputPath: outputPath)
        let started = try #require(await ServeProcess.waitForLine("piapi-serve started", at: outputPath))
        func port(_ field: String) throws -> Int {
            let address = try #require(started[field] as? String)
            return try #require(address.split(separator: ":").last.flatMap { Int($0) })
        }
        return AdminServe(
            mock: mock, rejecting: rejecting, process: process, gatewayPort: try port("listen"),
            adminPort: try port("admin"), tablePath: tablePath, outputPath: outputPath, deadPort: deadPort,
            mockPort: mockPort, authorization: token.map { "Bearer \($0)" })
    }

    func stop() async {
        if process.isRunning {
            process.terminate()
            _ = await ServeProcess.waitForExit(process)
        }
        await mock.close()
        await rejecting.stop()
    }

    /// A request to the public listener as `user` (nil: with an unknown key).
    func proxy(_ path: String, user: String?, method: String = "GET") async throws -> TestConnection.Response {
        let key = user.flatMap { Self.userKeys[$0] } ?? "piapi-admin-e2e-unknown-key"
        return try await TestConnection.request(
            port: gatewayPort,
            "\(method) \(path) HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer \(key)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    }

    /// A GET on the admin listener, with the token unless `authorization` says otherwise.
    func admin(_ path: String, authorization: String?? = .none) async throws -> TestConnection.Response {
        let header = authorization ?? self.authorization
        return try await TestConnection.request(
            port: adminPort,
            "GET \(path) HTTP/1.1\r\nHost: admin\r\n" + (header.map { "Authorization: \($0)\r\n" } ?? "")
                + "Connection: close\r\n\r\n")
    }

    func adminJSON(_ path: String) async throws -> [String: Any] {
        let response = try await admin(path)
        #expect(response.status == 200, "\(path)")
        return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
    }

    /// Proxied requests of every kind, a corrupt table (refused), then a good new table (with carol).
    func traffic() async throws {
        #expect(try await proxy("/piapi/codex/v1/responses?stream=false", user: "alice", method: "POST").status == 200)
        for _ in 0..<3 { #expect(try await proxy("/piapi/codex/v1/models", user: "alice").status == 200) }
        for _ in 0..<4 { #expect(try await proxy("/piapi/codex/v1/models", user: "bob").status == 200) }
        #expect(try await proxy("/piapi/claude_code/v1/messages", user: "bob", method: "POST").status == 502)
        #expect(try await proxy("/piapi/codex/v1/models", user: nil).status == 401)
        #expect(try await proxy("/piapi/claude_code/v1/messages", user: "alice").status == 404)

        try Data("not a route table at all".utf8).write(to: URL(fileURLWithPath: tablePath))
        _ = try #require(
            await ServeProcess.waitForLine("route table reload failed, keeping the current table", at: outputPath))
        let second = try Self.table(
            mockPort: mockPort, rejectingPort: rejecting.port, deadPort: deadPort, withCarol: true)
        try TableFile.writeAtomically(TableFile.encode(second, as: .binary), to: tablePath)
        _ = try #require(await ServeProcess.waitForLine("route table reloaded", at: outputPath))
        for _ in 0..<2 { #expect(try await proxy("/piapi/codex/v1/chat", user: "carol", method: "POST").status == 200) }
        #expect(try await proxy("/piapi/codex/v1/models", user: "alice").status == 200)
    }

    /// Every string no admin answer may contain: user keys, upstream secrets, the admin token,
    /// user key digests and (with `hashes`) the tables' full hashes, which only `/metrics`
    /// (`piapi_route_table_info`, as on the main listener) and the log carry.
    func forbidden(hashes: Bool = true) throws -> [String] {
        let tables = [false, true].compactMap {
            try? Self.table(mockPort: mockPort, rejectingPort: rejecting.port, deadPort: deadPort, withCarol: $0)
        }
        return Array(Self.userKeys.values) + Self.upstreamSecrets + [Self.token]
            + Self.userKeys.values.map { KeyDigest(ofKey: $0).hex } + (hashes ? tables.map(\.contentHash) : [])
    }
}
