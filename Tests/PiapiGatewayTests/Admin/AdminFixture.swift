import Foundation
import RouteTable

@testable import PiapiGateway

/// An `AdminAPI` over a small table with literal secrets, a manual clock and no network:
/// dave routes `codex` over two candidates (`failover`), erin over one; tests feed requests,
/// failures and reloads straight into the parts the API reads.
struct AdminFixture {
    static let daveKey = "dave-admin-user-key-0004"
    static let erinKey = "erin-admin-user-key-0005"
    static let secrets = ["sk-admin-literal-secret-one", "sk-admin-literal-secret-two"]
    static let token = "admin-token-0123456789abcdef"

    let clock = ManualClock()
    let tables: TableStore
    let candidates: CandidateRouter
    let activity: AdminActivity
    let reloads: ReloadHistory
    let api: AdminAPI

    static func table(strategy: Route.Strategy = .failover) throws -> RouteTable {
        let targets = (0..<2).map { index in
            Target(
                provider: "p\(index)", keyName: "k\(index)", serviceType: "codex",
                upstream: Upstream(scheme: .http, host: "127.0.0.1", port: 9, basePath: "/c\(index)", baseQuery: ""),
                injection: Injection(
                    mode: .header, name: "Authorization",
                    value: SecretTemplate(literal: "Bearer \(secrets[index])")))
        }
        return try RouteTable(
            targets: targets,
            users: [
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: daveKey), name: "dave",
                    routes: [
                        Route(
                            service: "codex", strategy: strategy,
                            candidates: [.init(target: 0, weight: 3), .init(target: 1)])
                    ]),
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: erinKey), name: "erin",
                    routes: [
                        Route(service: "codex", candidates: [.init(target: 1), .init(target: 0, enabled: false)])
                    ]),
            ])
    }

    init(
        token: String? = nil, strategy: Route.Strategy = .failover,
        usageOf: @escaping @Sendable (RequestRecord) -> RecordedUsage? = { _ in nil },
        limits: any AdminLimitsSource = NoLimitsSource()
    ) throws {
        tables = TableStore(try ServingTable(table: Self.table(strategy: strategy), environment: [:]))
        let clock = self.clock
        candidates = CandidateRouter(tables: tables, clock: clock.failoverClock)
        _ = candidates.snapshot(of: tables.current)  // takes the table into use, as a first request would
        activity = AdminActivity(
            recentCapacity: 5, wallSeconds: { clock.failoverClock.wallSeconds() }, usageOf: usageOf)
        reloads = ReloadHistory(loadedAt: ManualClock.wallStart, wallSeconds: { clock.failoverClock.wallSeconds() })
        api = AdminAPI(
            tables: tables, tablePath: "/etc/piapi/routes.bin", candidates: candidates, activity: activity,
            reloads: reloads, limits: limits, authorization: AdminAuthorization(token: token),
            metricsText: { "piapi_test_metric 1\n" }, openConnections: { 3 }, publicMetrics: false,
            startedAt: ManualClock.wallStart, wallSeconds: { clock.failoverClock.wallSeconds() })
    }

    /// One finished request of `user` on codex with these tries (the last one answered).
    func finish(
        _ id: String, user: String?, status: Int, attempts: [(Int, AttemptOutcome)] = [],
        path: String = "/piapi/codex/v1/x"
    ) {
        var record = RequestRecord(
            requestID: id, method: "POST", path: path, status: status, latencySeconds: 0.0125,
            bytesIn: 10, bytesOut: 20)
        record.user = user
        record.serviceType = user == nil ? nil : "codex"
        record.attempts = attempts.map { UpstreamAttempt(provider: "p\($0.0)", key: "k\($0.0)", outcome: $0.1) }
        if let last = attempts.last {
            record.upstreamProvider = "p\(last.0)"
            record.upstreamKey = "k\(last.0)"
        }
        activity.requestStarted()
        activity.requestFinished(record, tableHash: tables.current.hash)
    }

    /// A try of dave's candidate `index` ended with `outcome` (a failure cools it down as the
    /// router decides).
    func fail(_ index: Int, _ outcome: AttemptOutcome = .serverError) {
        candidates.record(
            outcome, retryAfter: nil, pair: CandidatePair(provider: "p\(index)", key: "k\(index)"),
            route: RouteKey(user: "dave", service: "codex"), position: index)
    }

    func get(_ uri: String, authorization: String? = nil) async -> AdminResponse {
        await api.respond(method: "GET", uri: uri, authorization: authorization)
    }

    func json(_ uri: String, authorization: String? = nil) async throws -> [String: Any] {
        let response = await get(uri, authorization: authorization)
        guard response.status == 200, response.header("content-type") == "application/json" else {
            throw AdminFixtureError.status(response.status, response.text)
        }
        return try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any] ?? [:]
    }

    /// Every string that must never appear in an admin answer.
    var forbidden: [String] {
        let serving = tables.current
        return Self.secrets + [Self.daveKey, Self.erinKey, Self.token, serving.hash]
            + serving.table.users.map(\.keyDigest.hex)
    }
}

enum AdminFixtureError: Error {
    case status(Int, String)
}
