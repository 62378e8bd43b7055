import Foundation
import Logging
import NIOCore
import NIOPosix
import PiapiGateway
import PiapiTestSupport
import RouteTable

/// A gateway started on 127.0.0.1 port 0 in front of test upstreams, with three users:
/// alice (codex → header `Authorization: Bearer sk-alpha`, base `/v1`), bob (codex → header
/// `x-goog-api-key: sk-beta`, base `/v2?fixed=1`) and carol (codex → query `key=sk-gamma`,
/// empty base path; chat → alice's upstream).
struct GatewayHarness {
    static let aliceKey = "alice-user-key-0001"
    static let bobKey = "bob-user-key-0002"
    static let carolKey = "carol-user-key-0003"
    static let upstreamSecrets = ["sk-alpha", "sk-beta", "sk-gamma"]

    let server: GatewayServer
    let port: Int
    let telemetry: RecordingTelemetry

    /// Targets point at `upstreamPort` (http) unless `target` overrides one.
    static func table(
        upstreamPort: Int, scheme: Upstream.Scheme = .http, host: String = "127.0.0.1"
    ) throws -> RouteTable {
        let port = UInt16(upstreamPort)
        let targets = [
            Target(
                provider: "alpha", keyName: "alpha-main", serviceType: "codex",
                upstream: Upstream(scheme: scheme, host: host, port: port, basePath: "/v1", baseQuery: ""),
                injection: Injection(
                    mode: .header, name: "Authorization", value: SecretTemplate(literal: "Bearer sk-alpha"))),
            Target(
                provider: "beta", keyName: "beta-main", serviceType: "codex",
                upstream: Upstream(scheme: scheme, host: host, port: port, basePath: "/v2", baseQuery: "fixed=1"),
                injection: Injection(mode: .header, name: "x-goog-api-key", value: SecretTemplate(literal: "sk-beta"))),
            Target(
                provider: "gamma", keyName: "gamma-main", serviceType: "codex",
                upstream: Upstream(scheme: scheme, host: host, port: port, basePath: "", baseQuery: ""),
                injection: Injection(mode: .query, name: "key", value: SecretTemplate(literal: "sk-gamma"))),
        ]
        let users = [
            UserRoutes(
                keyDigest: KeyDigest(ofKey: aliceKey), name: "alice",
                routes: [Route(service: "codex", candidates: [.init(target: 0)])]),
            UserRoutes(
                keyDigest: KeyDigest(ofKey: bobKey), name: "bob",
                routes: [Route(service: "codex", candidates: [.init(target: 1)])]),
            UserRoutes(
                keyDigest: KeyDigest(ofKey: carolKey), name: "carol",
                routes: [
                    Route(service: "codex", candidates: [.init(target: 2)]),
                    Route(service: "chat", candidates: [.init(target: 0)]),
                ]),
        ]
        return try RouteTable(targets: targets, users: users)
    }

    /// `clock` drives candidate cooldowns (tests move a `ManualClock` instead of waiting).
    static func start(
        table: RouteTable, clock: FailoverClock = .system, limits: LimitStore? = nil,
        configure: (inout GatewayConfiguration) -> Void = { _ in }
    ) async throws -> GatewayHarness {
        var configuration = GatewayConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        // A parallel `swift test` runs CPU-bound suites (byte flips, mutation fuzzing) on the
        // same few cooperative threads, which can leave a test between its connect and its
        // first write for longer than the 10 s header timeout; the gateway then rightly closes
        // the silent connection and the test sees "I/O on closed channel". Tests that check
        // the header timeout set their own.
        configuration.headerTimeout = .seconds(120)
        configure(&configuration)
        let telemetry = RecordingTelemetry()
        let tables = TableStore(try ServingTable(table: table, environment: [:]))
        let server = GatewayServer(
            configuration: configuration, tables: tables,
            telemetry: telemetry, group: MultiThreadedEventLoopGroup.singleton,
            logger: Logger(label: "test"), candidates: CandidateRouter(tables: tables, clock: clock),
            limits: limits)
        let address = try await server.start()
        return GatewayHarness(server: server, port: address.port ?? 0, telemetry: telemetry)
    }

    func stop() async {
        await server.drain(timeout: .seconds(1))
    }

    /// Sends one request and returns the response.
    func request(
        _ method: String = "GET", _ target: String, key: String? = nil, headers: [String] = [],
        body: String = ""
    ) async throws -> TestConnection.Response {
        var raw = "\(method) \(target) HTTP/1.1\r\nhost: gateway\r\n"
        if let key { raw += "authorization: Bearer \(key)\r\n" }
        for header in headers { raw += header + "\r\n" }
        if !body.isEmpty || method == "POST" { raw += "content-length: \(body.utf8.count)\r\n" }
        raw += "\r\n" + body
        return try await TestConnection.request(port: port, raw)
    }
}

/// A responder that answers 200 with a small body describing what arrived.
let echoResponder: StubUpstream.Responder = { received in
    let auth = received.headers["authorization"].first ?? received.headers["x-goog-api-key"].first ?? "-"
    return .respond(status: 200, headers: [("content-type", "text/plain")], body: Array("\(auth) \(received.uri)".utf8))
}
