import Foundation
import RouteTable
import Testing

@testable import PiapiGateway

@Suite("Admin API")
struct AdminAPITests {
    @Test("status: table by hash prefix, reloads newest first with their errors, load")
    func status() async throws {
        let fixture = try AdminFixture()
        fixture.clock.advance(seconds: 30)
        fixture.reloads.record(.failed(.missing(path: "/etc/piapi/routes.bin")))
        fixture.clock.advance(seconds: 30)
        fixture.reloads.record(.reloaded(hash: String(repeating: "ab", count: 32), routeCount: 2))
        fixture.activity.requestStarted()
        let status = try await fixture.json("/api/status")
        let table = try #require(status["table"] as? [String: Any])
        #expect(table["hash"] as? String == String(fixture.tables.current.hash.prefix(12)))
        #expect(table["path"] as? String == "/etc/piapi/routes.bin")
        #expect(table["users"] as? Int == 2)
        #expect(table["routes"] as? Int == 2)
        #expect(table["loaded_at"] as? String == "2027-01-15T08:01:00.000Z")
        #expect(status["started_at"] as? String == "2027-01-15T08:00:00.000Z")
        #expect(status["uptime_seconds"] as? Double == 60)
        #expect(status["open_connections"] as? Int == 3)
        #expect(status["in_flight"] as? Int == 1)
        #expect(status["public_metrics"] as? Bool == false)
        #expect(status["version"] as? String == PiapiVersion.current)
        let reloads = try #require(status["reloads"] as? [[String: Any]])
        #expect(reloads.map { $0["result"] as? String } == ["success", "failure"])
        #expect(reloads[0]["hash"] as? String == String(repeating: "ab", count: 6))
        #expect(reloads[0]["error"] is NSNull)
        #expect(reloads[1]["error"] as? String == "route table /etc/piapi/routes.bin not found")
    }

    @Test("reload history keeps the last 20")
    func reloadCapacity() throws {
        let fixture = try AdminFixture()
        for index in 0..<25 { fixture.reloads.record(.reloaded(hash: "h\(index)", routeCount: 1)) }
        #expect(fixture.reloads.entries.count == 20)
        #expect(fixture.reloads.entries.first?.hash == "h24")
        #expect(fixture.reloads.entries.last?.hash == "h5")
    }

    @Test("routes: every user × service with candidates and the router's live health, error rate and weight")
    func routes() async throws {
        let fixture = try AdminFixture()
        fixture.clock.advance(seconds: 60)  // one half-life of failing: the error rate reads 0.5
        fixture.fail(0)
        fixture.fail(1, .ok)
        fixture.clock.advance(seconds: 2)
        let answer = try await fixture.json("/api/routes")
        #expect(answer["total"] as? Int == 2)
        let routes = try #require(answer["routes"] as? [[String: Any]])
        #expect(
            routes.map { "\($0["user"]!)/\($0["service"]!)/\($0["strategy"]!)" } == [
                "dave/codex/failover", "erin/codex/failover",
            ])
        let dave = try #require(routes[0]["candidates"] as? [[String: Any]])
        #expect(dave[0]["provider"] as? String == "p0")
        #expect(dave[0]["key"] as? String == "k0")
        #expect(dave[0]["weight"] as? Int == 3)
        #expect(dave[0]["effective_weight"] as? Double == 3)  // failover does not weigh by errors
        #expect(dave[0]["healthy"] as? Bool == false)
        #expect(dave[0]["cooldown_seconds"] as? Double == 3)
        #expect(dave[0]["last_outcome"] as? String == "server_error")
        #expect(dave[0]["error_rate"] as? Double == 0.489)  // 0.5 × 2^(−2/60)
        #expect(dave[0]["attempts"] as? Int == 1)
        #expect(dave[0]["last_attempt_seconds_ago"] as? Double == 2)
        #expect(dave[1]["healthy"] as? Bool == true)
        #expect(dave[1]["cooldown_seconds"] as? Double == 0)
        #expect(dave[1]["last_outcome"] as? String == "ok")
        #expect(dave[1]["error_rate"] as? Double == 0)
        #expect(dave[1]["attempts"] as? Int == 1)
        let erin = try #require(routes[1]["candidates"] as? [[String: Any]])
        #expect(erin[1]["enabled"] as? Bool == false)
        #expect(erin[1]["effective_weight"] as? Int == 0)
        let pairs = try #require(answer["pairs"] as? [[String: Any]])
        #expect(pairs.map { $0["provider"] as? String } == ["p0", "p1"])
        #expect(pairs[0]["healthy"] as? Bool == false)

        fixture.clock.advance(seconds: 5)
        let later = try await fixture.json("/api/routes?user=dave")
        #expect(later["total"] as? Int == 1)
        let cooled = try #require((later["routes"] as? [[String: Any]])?.first?["candidates"] as? [[String: Any]])
        #expect(cooled[0]["healthy"] as? Bool == true)
        let limited = try await fixture.json("/api/routes?limit=1&user=")
        #expect((limited["routes"] as? [Any])?.count == 1)
        #expect(limited["total"] as? Int == 2)
        for bad in ["?limit=0", "?limit=", "?limit=x"] {
            #expect(await fixture.get("/api/routes" + bad).status == 400, "\(bad)")
        }
    }

    @Test("routes: an adaptive_rr candidate's effective weight is the one the router spreads by")
    func adaptiveEffectiveWeight() async throws {
        let fixture = try AdminFixture(strategy: .adaptiveRoundRobin)
        fixture.clock.advance(seconds: 60)
        fixture.fail(0)
        let answer = try await fixture.json("/api/routes?user=dave")
        let dave = try #require((answer["routes"] as? [[String: Any]])?.first?["candidates"] as? [[String: Any]])
        #expect(dave[0]["error_rate"] as? Double == 0.5)
        #expect(dave[0]["effective_weight"] as? Double == 1.5)  // 3 × max(0.1, 1 − 0.5)
        #expect(dave[1]["effective_weight"] as? Double == 1)
        let snapshot = fixture.candidates.snapshot(of: fixture.tables.current)
        #expect(snapshot.route(user: "dave", service: "codex")?.candidates.map(\.effectiveWeight) == [1.5, 1])
    }

    @Test("requests: newest first, the ring's capacity, filters, path without query")
    func requests() async throws {
        let fixture = try AdminFixture()
        fixture.finish("old", user: "erin", status: 200, attempts: [(1, .ok)])
        fixture.finish("a", user: "dave", status: 200, attempts: [(0, .ok)], path: "/piapi/codex/v1/x?secret=1")
        fixture.finish("b", user: nil, status: 401)
        fixture.finish("c", user: "dave", status: 502, attempts: [(0, .connectError), (1, .connectError)])
        fixture.finish("d", user: "erin", status: 429, attempts: [(1, .rateLimited)])
        fixture.finish("e", user: "dave", status: 200, attempts: [(1, .ok)])
        func ids(_ query: String) async throws -> [String] {
            let answer = try await fixture.json("/api/requests" + query)
            return (answer["requests"] as? [[String: Any]] ?? []).compactMap { $0["request_id"] as? String }
        }
        #expect(try await ids("") == ["e", "d", "c", "b", "a"])
        #expect(try await ids("?user=dave") == ["e", "c", "a"])
        #expect(try await ids("?user=dave&status=5xx") == ["c"])
        #expect(try await ids("?status=4XX") == ["d", "b"])
        #expect(try await ids("?status=429") == ["d"])
        #expect(try await ids("?service=codex&limit=2") == ["e", "d"])
        #expect(try await ids("?user=nobody") == [])
        #expect(try await ids("?user=&limit=1000") == ["e", "d", "c", "b", "a"])
        #expect(try await ids("?limit=99999999999999999999999") == ["e", "d", "c", "b", "a"])
        let answer = try await fixture.json("/api/requests?limit=5")
        #expect(answer["capacity"] as? Int == 5)
        let records = try #require(answer["requests"] as? [[String: Any]])
        let a = try #require(records.first { $0["request_id"] as? String == "a" })
        #expect(a["path"] as? String == "/piapi/codex/v1/x")
        #expect(a["latency_ms"] as? Double == 12.5)
        #expect(a["table"] as? String == String(fixture.tables.current.hash.prefix(12)))
        #expect(a["usage"] is NSNull)
        let c = try #require(records.first { $0["request_id"] as? String == "c" })
        #expect((c["attempts"] as? [[String: String]])?.map { $0["outcome"] } == ["connect_error", "connect_error"])
        #expect(c["upstream_key"] as? String == "k1")
        for bad in [
            "?status=600", "?status=abc", "?status=2x", "?status=", "?limit=0", "?limit=-1", "?limit=many", "?limit=",
            "?limit=+2", "?limit=1.5",
        ] {
            let response = await fixture.get("/api/requests" + bad)
            #expect(response.status == 400, "\(bad)")
            #expect(response.text.contains("\"bad_request\""))
        }
    }

    @Test("usage: requests by user and day now; tokens and cost when records carry them")
    func usage() async throws {
        let withTokens = try AdminFixture(usageOf: { record in
            record.status == 200
                ? RecordedUsage(
                    model: "gpt-x", inputTokens: 100, cacheReadTokens: 20, outputTokens: 30,
                    reasoningTokens: 10, costUSD: 0.01) : nil
        })
        withTokens.finish("a", user: "dave", status: 200, attempts: [(0, .ok)])
        withTokens.finish("b", user: "dave", status: 502, attempts: [(0, .connectError)])
        withTokens.finish("c", user: nil, status: 401)
        withTokens.clock.advance(seconds: 86_400)
        withTokens.finish("d", user: "erin", status: 200, attempts: [(1, .ok)])
        withTokens.finish("e", user: "dave", status: 200, attempts: [(1, .ok)])

        let byUser = try await withTokens.json("/api/usage")
        #expect(byUser["source"] as? String == "memory")
        #expect(byUser["by"] as? [String] == ["user"])
        #expect(byUser["since"] is NSNull)
        let rows = try #require(byUser["rows"] as? [[String: Any]])
        #expect(rows.map { $0["user"] as? String } == ["dave", "erin"])
        #expect(rows[0]["requests"] as? Int == 3)
        #expect(rows[0]["requests_with_usage"] as? Int == 2)
        #expect(rows[0]["errors"] as? Int == 1)
        #expect(rows[0]["total_tokens"] as? Int == 300)
        #expect(rows[0]["reasoning_tokens"] as? Int == 20)
        #expect(rows[0]["cost_usd"] as? Double == 0.02)
        let totals = try #require(byUser["totals"] as? [String: Any])
        #expect(totals["requests"] as? Int == 4)
        #expect(totals["total_tokens"] as? Int == 450)

        let byDay = try await withTokens.json("/api/usage?by=user,day,model")
        let dayRows = try #require(byDay["rows"] as? [[String: Any]])
        #expect(
            dayRows.map { "\($0["user"]!) \($0["day"]!) \($0["model"]!)" } == [
                "dave 2027-01-15 gpt-x", "dave 2027-01-15 <null>", "dave 2027-01-16 gpt-x", "erin 2027-01-16 gpt-x",
            ])
        let since = try await withTokens.json("/api/usage?since=2027-01-16&by=provider,key")
        #expect(since["since"] as? String == "2027-01-16")
        let sinceRows = try #require(since["rows"] as? [[String: Any]])
        #expect(sinceRows.map { "\($0["provider"]!)/\($0["key"]!):\($0["requests"]!)" } == ["p1/k1:2"])
        let sinceTime = try await withTokens.json("/api/usage?since=2027-01-16T23:59:59Z")
        #expect(sinceTime["since"] as? String == "2027-01-16")

        let plain = try AdminFixture()
        plain.finish("a", user: "dave", status: 200, attempts: [(0, .ok)])
        let counted = try await plain.json("/api/usage?by=service")
        let plainRows = try #require(counted["rows"] as? [[String: Any]])
        #expect(plainRows.count == 1)
        #expect(plainRows[0]["service"] as? String == "codex")
        #expect(plainRows[0]["requests"] as? Int == 1)
        #expect(plainRows[0]["total_tokens"] as? Int == 0)
        #expect(plainRows[0]["requests_with_usage"] as? Int == 0)

        for bad in [
            "?by=colour", "?by=user,", "?by=", "?by=user,%20day", "?since=yesterday", "?since=2027-02-30",
            "?since=2027-13-01", "?since=",
        ] {
            let response = await plain.get("/api/usage" + bad)
            #expect(response.status == 400, "\(bad)")
        }
    }

    /// A usage source that is not the in-memory one (as a ledger-backed one would be).
    struct FixedUsage: AdminUsageSource {
        var usageSourceName: String { "ledger" }
        func usage(_ query: UsageQuery) async throws -> [UsageRow] {
            var counts = UsageCounts()
            counts.add(status: 200, usage: RecordedUsage(inputTokens: 7))
            return [UsageRow(group: [.user: "zed"], counts: counts)]
        }
    }

    @Test("usage: another source can be plugged in")
    func pluggableUsage() async throws {
        let fixture = try AdminFixture()
        var api = fixture.api
        api.usage = FixedUsage()
        let response = await api.respond(method: "GET", uri: "/api/usage", authorization: nil)
        let answer = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        #expect(answer["source"] as? String == "ledger")
        #expect((answer["rows"] as? [[String: Any]])?.first?["total_tokens"] as? Int == 7)
    }

    @Test("limits: none without a source; the table's limits with this replica's use")
    func limits() async throws {
        let none = try await AdminFixture().json("/api/limits")
        #expect(none["source"] as? String == "none")
        #expect((none["users"] as? [Any])?.isEmpty == true)

        let limits = UserLimits(requestsPerMinute: 60, tokensPerDay: 1000)
        let base = try AdminFixture.table()
        let limited = try RouteTable(
            targets: base.targets,
            users: base.users.map {
                $0.name == "dave"
                    ? UserRoutes(keyDigest: $0.keyDigest, name: $0.name, routes: $0.routes, limits: limits) : $0
            }, prices: base.prices)
        let tables = TableStore(try ServingTable(table: limited, environment: [:]))
        let store = LimitStore()
        let digest = KeyDigest(ofKey: AdminFixture.daveKey)
        _ = store.admit(digest, limits: limits)
        store.finish(digest, tokens: 250, usd: 0.5)
        _ = store.admit(digest, limits: limits)
        let source = LimitStoreSource(tables: tables, store: store)
        let answer = try await AdminFixture(limits: source).json("/api/limits")
        #expect(answer["source"] as? String == "table")
        let users = try #require(answer["users"] as? [[String: Any]])
        #expect(users.count == 1)
        #expect(users[0]["user"] as? String == "dave")
        let configured = try #require(users[0]["limits"] as? [String: Any])
        #expect(configured["requests_per_minute"] as? Int == 60)
        #expect(configured["tokens_per_day"] as? Int == 1000)
        #expect(configured["usd_per_day"] is NSNull)
        let use = try #require(users[0]["use"] as? [String: Any])
        #expect(use["in_flight"] as? Int == 1)
        #expect(use["requests_last_minute"] as? Int == 2)
        #expect(use["tokens_today"] as? Int == 250)
        #expect(use["usd_today"] as? Double == 0.5)
    }

    @Test("metrics, the page, 404, 405 and HEAD")
    func otherAnswers() async throws {
        let fixture = try AdminFixture()
        let metrics = await fixture.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.text == "piapi_test_metric 1\n")
        #expect(metrics.header("content-type") == "text/plain; version=0.0.4")

        let page = await fixture.get("/")
        #expect(page.status == 200)
        #expect(page.header("content-type") == "text/html; charset=utf-8")
        let csp = try #require(page.header("content-security-policy"))
        #expect(csp.contains("default-src 'none'"))
        #expect(csp.contains("script-src \(AdminPage.cspHash(AdminPage.script))"))
        #expect(page.text.contains("<script>\(AdminPage.script)</script>"))
        #expect(page.text.contains("<style>\(AdminPage.style)</style>"))
        // Self-contained: no external script, style, image or font.
        for external in ["src=\"http", "href=\"http", "url(", "@import", "//cdn", "https://"] {
            #expect(!page.text.contains(external), "\(external)")
        }

        let missing = await fixture.get("/api/nothing")
        #expect(missing.status == 404)
        #expect(missing.text.contains("not_found"))
        let post = await fixture.api.respond(method: "POST", uri: "/api/status", authorization: nil)
        #expect(post.status == 405)
        #expect(post.header("allow") == "GET, HEAD")
        for response in [metrics, page, missing, post] {
            #expect(response.header("cache-control") == "no-store")
            #expect(response.header("x-content-type-options") == "nosniff")
        }
    }

    @Test("with a token: 401 with the Basic challenge and an empty body for every path, without or with a wrong token")
    func unauthorized() async throws {
        let fixture = try AdminFixture(token: AdminFixture.token)
        for path in [
            "/", "/api/status", "/api/routes", "/api/requests", "/api/usage", "/api/limits", "/metrics", "/nothing",
        ] {
            for header in [
                nil, "Bearer wrong-token-0123456789", "Basic " + Base64.encode(Array("admin:wrong".utf8)),
                "Bearer " + AdminFixture.token + " ",
            ] as [String?] {
                let response = await fixture.get(path, authorization: header)
                #expect(response.status == 401, "\(path) \(header ?? "-")")
                #expect(response.body.isEmpty)
                #expect(response.header("www-authenticate") == "Basic realm=\"piapi admin\"")
                #expect(response.header("content-type") == nil)
            }
            let bearer = await fixture.get(path, authorization: "Bearer " + AdminFixture.token)
            #expect(bearer.status != 401)
            let basic = await fixture.get(
                path, authorization: "Basic " + Base64.encode(Array("me:\(AdminFixture.token)".utf8)))
            #expect(basic.status != 401)
        }
    }

    @Test("no answer carries a key, a key digest or the full table hash")
    func namesOnly() async throws {
        let fixture = try AdminFixture(token: AdminFixture.token)
        fixture.finish("a", user: "dave", status: 200, attempts: [(0, .serverError), (1, .ok)])
        fixture.fail(0, .unauthorized)
        fixture.reloads.record(.reloaded(hash: fixture.tables.current.hash, routeCount: 2))
        fixture.reloads.record(.failed(.unresolvedVariable(path: "/etc/piapi/routes.bin", name: "ALPHA_KEY")))
        let auth = "Bearer " + AdminFixture.token
        for path in [
            "/", "/api/status", "/api/routes", "/api/requests", "/api/usage?by=user,service,provider,key,model,day",
            "/api/limits", "/metrics",
        ] {
            let text = await fixture.get(path, authorization: auth).text
            for secret in fixture.forbidden {
                #expect(!text.contains(secret), "\(path) shows \(secret.prefix(6))…")
            }
        }
    }
}
