import Foundation
import PiapiTestSupport
import RouteTable
import Testing

/// Usage accounting through the real piapi-serve and the mock upstream's dialects: the log
/// line, the metrics, the SQLite ledger (read back by piapi-usage) and a token budget that
/// survives a restart because it starts from the ledger.
@Suite("piapi-serve usage, ledger and budgets")
struct ServeUsageTests {
    static let user = "e2e-user"

    /// The user's codex route to the mock's root, with a price for `gpt-test` and a daily
    /// budget of 3,000 tokens (two chat answers of 1,500 each).
    static func table(mockPort: Int) throws -> RouteTable {
        let target = Target(
            provider: "first", keyName: "first-key", serviceType: "codex",
            upstream: Upstream(scheme: .http, host: "127.0.0.1", port: UInt16(mockPort), basePath: "", baseQuery: ""),
            injection: Injection(
                mode: .header, name: "Authorization",
                value: SecretTemplate(literal: "Bearer \(ServeTrafficTests.firstSecret)")))
        return try RouteTable(
            targets: [target],
            users: [
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: ServeTrafficTests.userKey), name: user,
                    routes: [Route(service: "codex", candidates: [.init(target: 0)])],
                    limits: UserLimits(tokensPerDay: 3_000))
            ], prices: ["gpt-test": ModelPrice(input: 1, output: 2, cacheRead: 0.5, cacheWrite: 1)])
    }

    static func chat(_ gateway: Int, stream: Bool) async throws -> TestConnection.Response {
        let body =
            stream
            ? #"{"model":"gpt-test","stream":true,"stream_options":{"include_usage":true}}"# : #"{"model":"gpt-test"}"#
        return try await TestConnection.request(
            port: gateway,
            """
            POST /piapi/codex/dialect/chat/v1/chat/completions HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer \(ServeTrafficTests.userKey)\r\n\
            Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)
            """)
    }

    @Test("tokens and cost reach the log, the metrics and the ledger; the day's budget holds across a restart")
    func usageLedgerAndBudget() async throws {
        let directory = try ServeProcess.makeDirectory()
        let ledger = "sqlite:\(directory)/ledger.db"
        let first = try await ServeTrafficTests.Running.start(arguments: ["--ledger", ledger], table: Self.table)
        do {
            #expect(try await Self.chat(first.gatewayPort, stream: false).status == 200)
            let streamed = try await Self.chat(first.gatewayPort, stream: true)
            #expect(streamed.status == 200)
            #expect(streamed.text.contains("\"usage\""))
            // 1,500 + 1,500 tokens: the day's budget of 3,000 is used up.
            let refused = try await Self.chat(first.gatewayPort, stream: false)
            #expect(refused.status == 429)
            #expect(refused.text.contains("tokensPerDay of 3000"))

            let lines = ServeProcess.logLines(at: first.outputPath).filter { $0["message"] as? String == "request" }
            let answered = lines.filter { $0["status"] as? Int == 200 }
            #expect(answered.count == 2)
            for line in answered {
                #expect(line["model"] as? String == "gpt-test")
                #expect(line["input_tokens"] as? Int == 176)  // 1,200 prompt − 1,024 cached
                #expect(line["cache_read_tokens"] as? Int == 1_024)
                #expect(line["output_tokens"] as? Int == 300)
                #expect(line["reasoning_tokens"] as? Int == 128)
                #expect(line["cost_usd"] as? Double == 0.001288)  // (176·1 + 300·2 + 1,024·0.5) / 1e6
                #expect(line["ttfb_ms"] is Double)
            }
            let metrics = try await TestConnection.request(
                port: first.gatewayPort, "GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n"
            ).text
            #expect(
                metrics.contains(
                    #"piapi_tokens_total{user="e2e-user",service_type="codex",provider="first",model="gpt-test",kind="input"} 352"#
                ))
            #expect(
                metrics.contains(
                    #"piapi_tokens_total{user="e2e-user",service_type="codex",provider="first",model="gpt-test",kind="cache_read"} 2048"#
                ))
            #expect(metrics.contains(#"piapi_limit_rejections_total{user="e2e-user",limit="tokensPerDay"} 1"#))
            #expect(!metrics.contains(ServeTrafficTests.userKey) && !metrics.contains(ServeTrafficTests.firstSecret))
        } catch {
            await first.stop()
            throw error
        }
        await first.stop()  // SIGTERM: the ledger's queue is written before exit

        let report = try await Self.usageReport(["report", "--ledger", ledger, "--by", "user", "--format", "json"])
        let groups = try #require(report["groups"] as? [[String: Any]])
        let mine = try #require(groups.first { $0["user"] as? String == Self.user })
        #expect(mine["requests"] as? Int == 3)
        #expect(mine["errors"] as? Int == 1)
        #expect(mine["input_tokens"] as? Int == 352)
        #expect(mine["output_tokens"] as? Int == 600)

        // A restart starts the budget from the ledger: the day is still used up.
        let second = try await ServeTrafficTests.Running.start(arguments: ["--ledger", ledger], table: Self.table)
        do {
            #expect(try await Self.chat(second.gatewayPort, stream: false).status == 429)
        } catch {
            await second.stop()
            throw error
        }
        await second.stop()
    }

    @Test("a second piapi-serve on the same SQLite ledger refuses to start")
    func oneProcessPerSQLiteLedger() async throws {
        let directory = try ServeProcess.makeDirectory()
        let ledger = "sqlite:\(directory)/ledger.db"
        let first = try await ServeTrafficTests.Running.start(arguments: ["--ledger", ledger], table: Self.table)
        do {
            let second = try await ServeProcess.run([first.tablePath, "--listen", "127.0.0.1:0", "--ledger", ledger])
            #expect(second.status == 1)
            #expect(second.standardError.contains("is in use by another piapi-serve"))
        } catch {
            await first.stop()
            throw error
        }
        await first.stop()
    }

    /// Runs the piapi-usage built beside the tests and parses its JSON output.
    static func usageReport(_ arguments: [String]) async throws -> [String: Any] {
        let executable = ServeProcess.executable.deletingLastPathComponent().appendingPathComponent("piapi-usage")
        let output: Data = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        process.executableURL = executable
                        process.arguments = arguments
                        let pipe = Pipe()
                        process.standardOutput = pipe
                        try process.run()
                        let data = pipe.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        return data
                    })
            }
        }
        return try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
    }
}
