import Foundation
import Glibc
import MockUpstream
import PiapiTestSupport
import RouteTable
import Testing

/// A real piapi-serve process in front of the mock upstream: traffic follows table reloads
/// (rename, in-place write, corrupt file), a stream survives SIGTERM, and no secret shows up
/// in the log or in /metrics.
@Suite("piapi-serve traffic")
struct ServeTrafficTests {
    static let userKey = "piapi-e2e-traffic-user-key"
    static let firstSecret = "sk-e2e-first-upstream-secret"
    static let secondSecret = "sk-e2e-second-upstream-secret-from-env"

    /// One user whose `codex` route goes to `/<provider>` on the mock upstream.
    static func table(provider: String, credential: SecretTemplate, mockPort: Int) throws -> RouteTable {
        let target = Target(
            provider: provider, keyName: "\(provider)-key", serviceType: "codex",
            upstream: Upstream(
                scheme: .http, host: "127.0.0.1", port: UInt16(mockPort),
                basePath: "/\(provider)", baseQuery: ""),
            injection: Injection(mode: .header, name: "Authorization", value: credential))
        return try RouteTable(
            targets: [target],
            users: [
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: userKey), name: "e2e-user",
                    routes: [Route(service: "codex", candidates: [.init(target: 0)])])
            ])
    }

    /// A running mock upstream and a piapi-serve in front of it, torn down by `stop()`.
    struct Running {
        let mock: MockUpstreamServer
        let mockPort: Int
        let process: Process
        let gatewayPort: Int
        let tablePath: String
        let outputPath: String

        /// `table` builds the first table from the mock's port (default: provider `first`).
        /// `arguments` go to piapi-serve after the table and listen address.
        static func start(
            events: Int = 5, delayMilliseconds: Int = 50, arguments: [String] = [],
            table: ((Int) throws -> RouteTable)? = nil
        ) async throws -> Running {
            let mock = try await MockUpstreamServer.bind(
                settings: MockUpstreamSettings(
                    listen: ListenAddress(host: "127.0.0.1", port: 0), events: events,
                    delayMilliseconds: delayMilliseconds),
                report: { _ in })
            Task { try? await mock.run() }
            let mockPort = try #require(mock.localAddress.port)
            let directory = try ServeProcess.makeDirectory()
            let tablePath = directory + "/routes.bin"
            let outputPath = directory + "/stdout.log"
            let first =
                try table?(mockPort)
                ?? ServeTrafficTests.table(
                    provider: "first", credential: SecretTemplate(literal: "Bearer \(firstSecret)"), mockPort: mockPort)
            try TableFile.writeAtomically(TableFile.encode(first, as: .binary), to: tablePath)
            let process = try ServeProcess.start(
                [tablePath, "--listen", "127.0.0.1:0", "--drain-timeout", "10"] + arguments,
                environment: ["E2E_SECOND_KEY": secondSecret], outputPath: outputPath)
            let started = try #require(await ServeProcess.waitForLine("piapi-serve started", at: outputPath))
            let listen = try #require(started["listen"] as? String)
            let port = try #require(listen.split(separator: ":").last.flatMap { Int($0) })
            return Running(
                mock: mock, mockPort: mockPort, process: process, gatewayPort: port,
                tablePath: tablePath, outputPath: outputPath)
        }

        func get(_ path: String) async throws -> TestConnection.Response {
            try await TestConnection.request(
                port: gatewayPort,
                "GET \(path) HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer \(ServeTrafficTests.userKey)\r\nConnection: close\r\n\r\n"
            )
        }

        /// Which provider the mock saw the request for (its path starts with `/<provider>`).
        func routedProvider() async throws -> String? {
            let response = try await get("/piapi/codex/probe")
            guard response.status == 200,
                let report = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
                let path = report["path"] as? String
            else { return nil }
            return path.split(separator: "/").first.map(String.init)
        }

        func stop() async {
            if process.isRunning {
                process.terminate()
                _ = await ServeProcess.waitForExit(process)
            }
            await mock.close()
        }
    }

    @Test("reloads by rename and in place change routing; a corrupt table keeps the old one serving")
    func reloadsFollowTheFile() async throws {
        let running = try await Running.start()
        do {
            #expect(try await running.routedProvider() == "first")

            let second = try Self.table(
                provider: "second",
                credential: SecretTemplate(parts: [.literal("Bearer "), .variable("E2E_SECOND_KEY")]),
                mockPort: running.mockPort)
            try TableFile.writeAtomically(TableFile.encode(second, as: .binary), to: running.tablePath)
            _ = try #require(await ServeProcess.waitForLine("route table reloaded", at: running.outputPath))
            #expect(try await running.routedProvider() == "second")

            try Data("definitely not a route table".utf8).write(to: URL(fileURLWithPath: running.tablePath))
            _ = try #require(
                await ServeProcess.waitForLine(
                    "route table reload failed, keeping the current table", at: running.outputPath))
            #expect(try await running.routedProvider() == "second")

            // In place (no rename): the JSON form of the first table, written over the file.
            let first = try Self.table(
                provider: "first", credential: SecretTemplate(literal: "Bearer \(Self.firstSecret)"),
                mockPort: running.mockPort)
            try Data(TableFile.encode(first, as: .json)).write(to: URL(fileURLWithPath: running.tablePath))
            var routed: String?
            for _ in 0..<100 {
                routed = try await running.routedProvider()
                if routed == "first" { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            #expect(routed == "first")

            let metrics = try await TestConnection.request(
                port: running.gatewayPort, "GET /metrics HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n")
            #expect(metrics.status == 200)
            // The corrupt file counts once; the in-place rewrite may be seen half-written once more.
            #expect(
                Self.sample("piapi_config_reloads_total{result=\"failure\"}", in: metrics.text).map { $0 >= 1 } == true)
            #expect(
                Self.sample("piapi_config_reloads_total{result=\"success\"}", in: metrics.text).map { $0 >= 2 } == true)
            #expect(metrics.text.contains("piapi_requests_total{service_type=\"codex\",status_class=\"2xx\"}"))

            let log = try String(contentsOfFile: running.outputPath, encoding: .utf8)
            for secret in [Self.userKey, Self.firstSecret, Self.secondSecret] {
                #expect(!log.contains(secret))
                #expect(!metrics.text.contains(secret))
            }
            let requests = ServeProcess.logLines(at: running.outputPath).filter {
                $0["message"] as? String == "request" && ($0["path"] as? String)?.hasPrefix("/piapi/") == true
            }
            #expect(requests.count >= 4)
            #expect(requests.allSatisfy { $0["user"] as? String == "e2e-user" && $0["status"] as? Int == 200 })
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    @Test("--threads sets the number of event loops: one loop serves, and the start line says how many")
    func oneEventLoop() async throws {
        let running = try await Running.start(arguments: ["--threads", "1"])
        do {
            let started = try #require(await ServeProcess.waitForLine("piapi-serve started", at: running.outputPath))
            #expect(started["threads"] as? Int == 1)
            for _ in 0..<3 { #expect(try await running.routedProvider() == "first") }
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    @Test("a route whose first candidate refuses connections fails over, and says so in metrics and the log")
    func failoverThroughTheCompiledTable() async throws {
        let deadPort = try await ServeProcess.unusedPort()
        let running = try await Running.start { mockPort in
            let targets = [("dead", deadPort), ("first", mockPort)].map { provider, port in
                Target(
                    provider: provider, keyName: "\(provider)-key", serviceType: "codex",
                    upstream: Upstream(
                        scheme: .http, host: "127.0.0.1", port: UInt16(port), basePath: "/\(provider)",
                        baseQuery: ""),
                    injection: Injection(
                        mode: .header, name: "Authorization",
                        value: SecretTemplate(literal: "Bearer \(Self.firstSecret)-\(provider)")))
            }
            return try RouteTable(
                targets: targets,
                users: [
                    UserRoutes(
                        keyDigest: KeyDigest(ofKey: Self.userKey), name: "e2e-user",
                        routes: [
                            Route(
                                service: "codex", strategy: .failover,
                                candidates: [.init(target: 0), .init(target: 1)])
                        ])
                ])
        }
        do {
            // One request: a second could come after the dead key's 5 s cooldown on a slow runner.
            #expect(try await running.routedProvider() == "first")
            let metrics = try await TestConnection.request(
                port: running.gatewayPort,
                "GET /metrics HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n"
            ).text
            #expect(Self.sample("piapi_failovers_total{service_type=\"codex\"}", in: metrics) == 1)
            #expect(
                Self.sample(
                    "piapi_upstream_attempts_total{service_type=\"codex\",provider=\"dead\",key=\"dead-key\",outcome=\"connect_error\"}",
                    in: metrics) == 1)
            #expect(
                Self.sample(
                    "piapi_upstream_attempts_total{service_type=\"codex\",provider=\"first\",key=\"first-key\",outcome=\"ok\"}",
                    in: metrics) == 1)
            let cooldown = try #require(
                Self.sample("piapi_candidate_cooldown_seconds{provider=\"dead\",key=\"dead-key\"}", in: metrics))
            #expect(cooldown >= 0 && cooldown <= 5)
            #expect(
                Self.sample("piapi_candidate_cooldown_seconds{provider=\"first\",key=\"first-key\"}", in: metrics) == 0)
            let requests = ServeProcess.logLines(at: running.outputPath).filter {
                $0["message"] as? String == "request"
            }
            let attempts = requests.compactMap { $0["attempts"] as? [[String: String]] }.filter { !$0.isEmpty }
            #expect(
                attempts == [
                    [
                        ["provider": "dead", "key": "dead-key", "outcome": "connect_error"],
                        ["provider": "first", "key": "first-key", "outcome": "ok"],
                    ]
                ])
            let log = try String(contentsOfFile: running.outputPath, encoding: .utf8)
            for secret in [Self.userKey, Self.firstSecret] {
                #expect(!log.contains(secret))
                #expect(!metrics.contains(secret))
            }
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }

    /// The value of one Prometheus sample line, e.g. `name{label="x"} 3`.
    static func sample(_ series: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
            .flatMap { Double($0.dropFirst(series.count + 1)) }
    }

    @Test("SIGTERM during a stream: the stream finishes, then piapi-serve exits 0")
    func sigtermDrainsAStream() async throws {
        // A 4 s stream: long enough that a loaded test runner still sends SIGTERM mid-stream.
        let running = try await Running.start(events: 20, delayMilliseconds: 200)
        do {
            let connection = try await TestConnection(port: running.gatewayPort)
            try await connection.send(
                "POST /piapi/codex/v1/stream HTTP/1.1\r\nHost: gw\r\nx-api-key: \(Self.userKey)\r\nContent-Length: 2\r\n\r\n{}"
            )
            try await connection.waitFor { bytes, _ in TestConnection.find(Array("\"event\":1".utf8), in: bytes) != nil
            }
            #expect(!connection.received("[DONE]"), "the stream must still be running when SIGTERM arrives")
            #expect(kill(running.process.processIdentifier, SIGTERM) == 0)

            let response = try await connection.readResponse(seconds: 10)
            #expect(response.status == 200)
            #expect(response.text.contains("\"event\":20"))
            #expect(response.text.contains("data: [DONE]"))
            #expect(await ServeProcess.waitForExit(running.process))
            #expect(running.process.terminationStatus == 0)
            await connection.close()
        } catch {
            await running.stop()
            throw error
        }
        await running.stop()
    }
}
