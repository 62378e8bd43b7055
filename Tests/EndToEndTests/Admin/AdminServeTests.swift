import Foundation
import PiapiTestSupport
import RouteTable
import Testing

/// The admin listener of a real piapi-serve: start-up rules, the token, names only, and the
/// public listener left as it was.
@Suite("piapi-serve admin listener")
struct AdminServeTests {
    @Test("a non-loopback --admin-listen without a token of 16+ characters refuses to start: exit 1, one line")
    func nonLoopbackNeedsToken() async throws {
        let directory = try ServeProcess.makeDirectory()
        let tablePath = directory + "/routes.bin"
        let table = try AdminServe.table(mockPort: 9, rejectingPort: 9, deadPort: 9, withCarol: false)
        try TableFile.writeAtomically(TableFile.encode(table, as: .binary), to: tablePath)
        let short = "short-token-15ch"
        for (address, environment) in [
            ("0.0.0.0:0", [:]), ("[::]:0", ["PIAPI_ADMIN_TOKEN": ""]),
            ("0.0.0.0:0", ["PIAPI_ADMIN_TOKEN": String(short.dropLast())]),
        ] {
            let result = try await ServeProcess.run(
                [tablePath, "--listen", "127.0.0.1:0", "--admin-listen", address],
                environment: environment)
            #expect(result.status == 1, "\(address)")
            #expect(result.errorLines.count == 1)
            #expect(result.standardError.contains("PIAPI_ADMIN_TOKEN"))
            #expect(!result.standardError.contains(short.dropLast()))
            #expect(result.standardOutput.isEmpty)
        }
        let usage = try await ServeProcess.run([tablePath, "--admin-listen", "nonsense"])
        #expect(usage.status == 2)
    }

    @Test(
        "401 without or with a wrong token, revealing nothing; names only with it; the public port serves no admin path"
    )
    func tokenAndNamesOnly() async throws {
        let serve = try await AdminServe.start()
        do {
            try await serve.traffic()
            let wrongBasic = "Basic " + Data("admin:wrong-token-0123456789".utf8).base64EncodedString()
            for path in [
                "/", "/api/status", "/api/routes", "/api/requests", "/api/usage", "/api/limits", "/metrics", "/x",
            ] {
                for header in [nil, "Bearer wrong-token-0123456789", wrongBasic] as [String?] {
                    let response = try await serve.admin(path, authorization: .some(header))
                    #expect(response.status == 401, "\(path)")
                    #expect(response.header("www-authenticate") == "Basic realm=\"piapi admin\"")
                    #expect(response.body.isEmpty)
                    #expect(response.header("content-type") == nil)
                }
            }
            let basic = "Basic " + Data("anyone:\(AdminServe.token)".utf8).base64EncodedString()
            #expect(try await serve.admin("/api/status", authorization: .some(basic)).status == 200)

            let forbidden = try serve.forbidden()
            let secrets = try serve.forbidden(hashes: false)
            var answers: [String: String] = [:]
            for path in [
                "/", "/api/status", "/api/routes", "/api/requests?limit=1000",
                "/api/usage?by=user,service,provider,key,model,day", "/api/limits", "/metrics",
            ] {
                let response = try await serve.admin(path)
                #expect(response.status == 200, "\(path)")
                answers[path] = response.text
            }
            let log = try String(contentsOfFile: serve.outputPath, encoding: .utf8)
            answers["log"] = log
            for (path, text) in answers {
                for secret in path == "/metrics" || path == "log" ? secrets : forbidden {
                    #expect(!text.contains(secret), "\(path) shows a secret starting \(secret.prefix(8))")
                }
            }
            // The names are there, though.
            let routes = try #require(answers["/api/routes"])
            for name in ["alice", "bob", "carol", "alpha", "main-key", "revoked", "old-key", "nowhere", "dead-key"] {
                #expect(routes.contains("\"\(name)\""), "\(name)")
            }
            #expect(log.contains("admin listening"))
            #expect(log.contains("\"token\":\"required\""))

            for path in [
                "/", "/api/status", "/api/routes", "/api/requests", "/api/usage", "/api/limits", "/index.html",
            ] {
                let response = try await TestConnection.request(
                    port: serve.gatewayPort,
                    "GET \(path) HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer \(AdminServe.token)\r\nConnection: close\r\n\r\n"
                )
                #expect(response.status == 404, "public \(path)")
                #expect(!response.text.contains("piapi admin"))
            }
            let publicMetrics = try await TestConnection.request(
                port: serve.gatewayPort,
                "GET /metrics HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
            #expect(publicMetrics.status == 200)
            let adminMetrics = try #require(answers["/metrics"])
            for family in [
                "piapi_requests_total", "piapi_config_reloads_total", "piapi_candidate_cooldown_seconds",
                "piapi_upstream_attempts_total",
            ] {
                #expect(adminMetrics.contains("# TYPE \(family)"), "\(family)")
                #expect(publicMetrics.text.contains("# TYPE \(family)"), "\(family)")
            }
        } catch {
            await serve.stop()
            throw error
        }
        await serve.stop()
    }

    @Test("what the API reports about that traffic: health, cooldowns, requests, reloads, usage")
    func reportsTraffic() async throws {
        let serve = try await AdminServe.start(token: nil, extraArguments: ["--admin-recent", "5"])
        do {
            try await serve.traffic()
            #expect(try await serve.admin("/api/status", authorization: .some(nil)).status == 200)

            let status = try await serve.adminJSON("/api/status")
            let table = try #require(status["table"] as? [String: Any])
            #expect(table["users"] as? Int == 3)
            #expect((table["hash"] as? String)?.count == 12)
            let reloads = try #require(status["reloads"] as? [[String: Any]])
            #expect(reloads.first?["result"] as? String == "success")
            #expect(reloads.contains { ($0["error"] as? String)?.contains("cannot load route table") == true })
            #expect(status["recent_capacity"] as? Int == 5)

            let routes = try await serve.adminJSON("/api/routes?user=alice")
            let alice = try #require((routes["routes"] as? [[String: Any]])?.first?["candidates"] as? [[String: Any]])
            #expect(alice[0]["provider"] as? String == "revoked")
            #expect(alice[0]["healthy"] as? Bool == false)
            #expect((alice[0]["cooldown_seconds"] as? Double).map { $0 > 500 && $0 <= 600 } == true)
            #expect(alice[0]["last_outcome"] as? String == "unauthorized")
            // The router's rate grows with time spent failing (README "adaptive_rr"): a few
            // failed tries within a second of start read close to 0.
            #expect((alice[0]["error_rate"] as? Double).map { (0...1).contains($0) } == true)
            #expect((alice[0]["attempts"] as? Int).map { $0 >= 1 } == true)
            #expect(alice[1]["healthy"] as? Bool == true)
            #expect(alice[1]["last_outcome"] as? String == "ok")

            let requests = try await serve.adminJSON("/api/requests")
            let records = try #require(requests["requests"] as? [[String: Any]])
            #expect(records.count == 5)
            #expect(records.first?["user"] as? String == "alice")
            #expect(records.map { $0["user"] as? String }.contains("carol"))
            let bob = try await serve.adminJSON("/api/requests?user=bob&status=5xx")
            #expect((bob["requests"] as? [Any])?.isEmpty == true)  // pushed out of the 5-request ring by now

            let usage = try await serve.adminJSON("/api/usage?by=user")
            let rows = try #require(usage["rows"] as? [[String: Any]])
            #expect(rows.map { $0["user"] as? String } == ["alice", "bob", "carol"])
            #expect(rows.map { $0["requests"] as? Int } == [6, 5, 2])
            let limits = try await serve.adminJSON("/api/limits")
            #expect(limits["source"] as? String == "table")
            #expect((limits["users"] as? [Any])?.isEmpty == true)  // no user of this table has limits
        } catch {
            await serve.stop()
            throw error
        }
        await serve.stop()
    }

    @Test("--no-public-metrics: the admin listener still serves /metrics and reports it")
    func noPublicMetrics() async throws {
        let serve = try await AdminServe.start(extraArguments: ["--no-public-metrics"])
        do {
            let status = try await serve.adminJSON("/api/status")
            #expect(status["public_metrics"] as? Bool == false)
            let metrics = try await serve.admin("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains("piapi_config_reloads_total"))
            let publicMetrics = try await TestConnection.request(
                port: serve.gatewayPort,
                "GET /metrics HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
            #expect(publicMetrics.status == 404)
        } catch {
            await serve.stop()
            throw error
        }
        await serve.stop()
    }
}
