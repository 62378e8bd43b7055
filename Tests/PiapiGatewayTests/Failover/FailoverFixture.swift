import NIOConcurrencyHelpers
import NIOCore
import PiapiGateway
import PiapiTestSupport
import RouteTable

/// Routes with several candidates in front of one stub upstream that can play a different
/// part for each candidate. Candidate `i` is provider `p<i>`, key name `k<i>`, base path
/// `/c<i>` and upstream secret `up-secret-<i>`; user dave routes `codex` over all of them
/// with the strategy under test, user erin over the same candidates with `failover`.
final class FailoverFixture: Sendable {
    static let daveKey = "dave-user-key-0004"
    static let erinKey = "erin-user-key-0005"

    /// What one candidate's upstream does with a request.
    enum Part: Sendable {
        case ok
        case status(Int, headers: [(String, String)] = [], body: String = "failure body")
        case hangUp
        case silence
        case cutShort
        /// `100 Continue`, then this status.
        case continueThen(Int)
        /// A port nothing listens on.
        case refused
    }

    struct Candidate {
        var weight: UInt32 = 1
        var enabled = true
    }

    let stub: StubUpstream
    let refusedPort: Int
    private let parts: NIOLockedValueBox<[Int: Part]>

    private init(stub: StubUpstream, refusedPort: Int, parts: NIOLockedValueBox<[Int: Part]>) {
        self.stub = stub
        self.refusedPort = refusedPort
        self.parts = parts
    }

    static func start() async throws -> FailoverFixture {
        let parts = NIOLockedValueBox<[Int: Part]>([:])
        let stub = try await StubUpstream { received in
            let index = Self.candidateIndex(of: received.uri)
            switch parts.withLockedValue({ $0[index] }) ?? .ok {
            case .ok, .refused:
                return .respond(status: 200, headers: [("content-type", "text/plain")], body: Array("c\(index)".utf8))
            case .status(let status, let headers, let body):
                return .respond(status: status, headers: headers, body: Array(body.utf8))
            case .hangUp:
                return .hangUp
            case .silence:
                return .silence
            case .cutShort:
                return .cutShort(status: 200, body: Array("partial".utf8), declaredLength: 100)
            case .continueThen(let status):
                return .continueThen(status: status, body: Array("after continue".utf8))
            }
        }
        return FailoverFixture(stub: stub, refusedPort: try await StubUpstream.refusedPort(), parts: parts)
    }

    /// Makes candidate `index` play `part` from now on.
    func set(_ index: Int, _ part: Part) {
        parts.withLockedValue { $0[index] = part }
    }

    /// Candidate indexes of the requests the stub received, in order.
    var hits: [Int] { stub.received.map { Self.candidateIndex(of: $0.uri) } }

    static func candidateIndex(of uri: String) -> Int {
        guard uri.hasPrefix("/c"), let digits = uri.dropFirst(2).split(separator: "/").first else { return -1 }
        return Int(digits) ?? -1
    }

    static func secret(_ index: Int) -> String { "up-secret-\(index)" }

    /// The table; candidates in `refused` point at `refusedPort`, those in `secrets` use that
    /// upstream secret instead of their own.
    func table(
        _ strategy: Route.Strategy, _ candidates: [Candidate], refused: Set<Int> = [],
        secrets: [Int: String] = [:]
    ) throws -> RouteTable {
        let targets = candidates.indices.map { i in
            Target(
                provider: "p\(i)", keyName: "k\(i)", serviceType: "codex",
                upstream: Upstream(
                    scheme: .http, host: "127.0.0.1",
                    port: UInt16(refused.contains(i) ? refusedPort : stub.port),
                    basePath: "/c\(i)", baseQuery: ""),
                injection: Injection(
                    mode: .header, name: "Authorization",
                    value: SecretTemplate(literal: "Bearer \(secrets[i] ?? Self.secret(i))")))
        }
        let chain = candidates.enumerated().map {
            Route.Candidate(
                target: $0.offset, weight: $0.element.weight,
                enabled: $0.element.enabled)
        }
        let users = [
            UserRoutes(
                keyDigest: KeyDigest(ofKey: Self.daveKey), name: "dave",
                routes: [Route(service: "codex", strategy: strategy, candidates: chain)]),
            UserRoutes(
                keyDigest: KeyDigest(ofKey: Self.erinKey), name: "erin",
                routes: [Route(service: "codex", strategy: .failover, candidates: chain)]),
        ]
        return try RouteTable(targets: targets, users: users)
    }

    func close() async {
        await stub.close()
    }
}

/// A clock tests move by hand, so cooldowns expire without waiting.
final class ManualClock: Sendable {
    private let offset = NIOLockedValueBox<Int64>(0)
    private let start = NIODeadline.now()
    /// The wall clock's reading at the start (2027-01-15).
    static let wallStart = 1_800_000_000.0

    func advance(seconds: Double) {
        offset.withLockedValue { $0 += Int64(seconds * 1e9) }
    }

    var failoverClock: FailoverClock {
        FailoverClock(
            now: { [self] in start + .nanoseconds(offset.withLockedValue { $0 }) },
            wallSeconds: { [self] in Self.wallStart + Double(offset.withLockedValue { $0 }) / 1e9 })
    }
}

extension GatewayHarness {
    /// `count` requests from dave to `codex`, one after another on one keep-alive connection;
    /// returns their statuses.
    func codexRequests(_ count: Int) async throws -> [Int] {
        let connection = try await TestConnection(port: port)
        var statuses: [Int] = []
        for _ in 0..<count {
            try await connection.send(
                "GET /piapi/codex/x HTTP/1.1\r\nauthorization: Bearer \(FailoverFixture.daveKey)\r\n\r\n")
            statuses.append(try await connection.readResponse().status)
        }
        await connection.close()
        return statuses
    }

    /// A request from dave (or `key`) to `codex`.
    func codex(
        _ key: String = FailoverFixture.daveKey, method: String = "GET", body: String = "",
        headers: [String] = []
    ) async throws -> TestConnection.Response {
        try await request(method, "/piapi/codex/x", key: key, headers: headers, body: body)
    }
}
