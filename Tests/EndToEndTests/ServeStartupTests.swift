import Foundation
import RouteTable
import Testing

/// piapi-serve refuses to start on a bad table or bad flags, with one clear line and the
/// documented exit status (1 for the table, 2 for usage).
@Suite("piapi-serve start-up")
struct ServeStartupTests {
    static let upstreamSecret = "sk-upstream-e2e-7d1c"

    /// A table whose one target injects `${variable}` (or the literal secret), used by `users` users.
    static func table(variable: String?, users: Int = 1) throws -> RouteTable {
        let value =
            variable.map { SecretTemplate(parts: [.literal("Bearer "), .variable($0)]) }
            ?? SecretTemplate(literal: "Bearer \(upstreamSecret)")
        let target = Target(
            provider: "provider-alpha", keyName: "main-key", serviceType: "codex",
            upstream: Upstream(scheme: .http, host: "127.0.0.1", port: 9, basePath: "", baseQuery: ""),
            injection: Injection(mode: .header, name: "Authorization", value: value))
        return try RouteTable(
            targets: [target],
            users: (0..<users).map { n in
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: "user-key-\(n)"), name: "user\(n)",
                    routes: [Route(service: "codex", candidates: [.init(target: 0)])])
            })
    }

    @Test("a missing table: exit 1, one line naming the file")
    func missingTable() async throws {
        let path = try ServeProcess.makeDirectory() + "/absent.bin"
        let result = try await ServeProcess.run([path, "--listen", "127.0.0.1:0"])
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1)
        #expect(result.standardError.contains(path))
    }

    @Test("a corrupt table: exit 1, one line")
    func corruptTable() async throws {
        let path = try ServeProcess.makeDirectory() + "/routes.bin"
        var bytes = TableFile.encode(try Self.table(variable: nil), as: .binary)
        bytes.removeLast(bytes.count / 3)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let result = try await ServeProcess.run([path, "--listen", "127.0.0.1:0"])
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1)
        #expect(!result.standardError.contains(Self.upstreamSecret))
        #expect(!result.standardOutput.contains(Self.upstreamSecret))
    }

    @Test("an unset ${VAR}: exit 1, the line names the variable and shows no value")
    func unresolvedVariable() async throws {
        let path = try ServeProcess.makeDirectory() + "/routes.json"
        try Data(TableFile.encode(try Self.table(variable: "PIAPI_E2E_UPSTREAM_KEY"), as: .json))
            .write(to: URL(fileURLWithPath: path))
        let result = try await ServeProcess.run(
            [path, "--listen", "127.0.0.1:0"],
            environment: ["PIAPI_E2E_OTHER": Self.upstreamSecret])
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1)
        #expect(result.standardError.contains("PIAPI_E2E_UPSTREAM_KEY"))
        #expect(!result.standardError.contains(Self.upstreamSecret))
        #expect(!result.standardOutput.contains(Self.upstreamSecret))
    }

    @Test(
        "a ${VAR} with CR/LF, a trailing CR (Windows .env) or an empty value: exit 1, the line names the variable and shows no value",
        arguments: ["sk-e2e-bad-9a3f\r\nX-Injected: yes", "sk-e2e-bad-9a3f\r", ""])
    func unusableVariable(value: String) async throws {
        let path = try ServeProcess.makeDirectory() + "/routes.bin"
        try Data(TableFile.encode(try Self.table(variable: "PIAPI_E2E_UPSTREAM_KEY"), as: .binary))
            .write(to: URL(fileURLWithPath: path))
        let result = try await ServeProcess.run(
            [path, "--listen", "127.0.0.1:0"],
            environment: ["PIAPI_E2E_UPSTREAM_KEY": value])
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1)
        #expect(result.standardError.contains("PIAPI_E2E_UPSTREAM_KEY"))
        for output in [result.standardError, result.standardOutput] {
            #expect(!output.contains("sk-e2e-bad-9a3f") && !output.contains("Injected"))
        }
    }

    @Test("--env-allow: a ${VAR} outside the list is refused at start (exit 1, named, no value); inside it is served")
    func environmentAllowList() async throws {
        let path = try ServeProcess.makeDirectory() + "/routes.bin"
        try Data(TableFile.encode(try Self.table(variable: "PIAPI_E2E_UPSTREAM_KEY"), as: .binary))
            .write(to: URL(fileURLWithPath: path))
        let environment = ["PIAPI_E2E_UPSTREAM_KEY": Self.upstreamSecret]
        let refused = try await ServeProcess.run(
            [
                path, "--listen", "127.0.0.1:0", "--env-allow", "OPENAI_*",
                "--env-allow", "ANTHROPIC_MAIN_KEY",
            ], environment: environment)
        #expect(refused.status == 1)
        #expect(refused.errorLines.count == 1)
        #expect(refused.standardError.contains("PIAPI_E2E_UPSTREAM_KEY, which --env-allow does not allow"))
        #expect(
            !refused.standardError.contains(Self.upstreamSecret)
                && !refused.standardOutput.contains(Self.upstreamSecret))

        let output = try ServeProcess.makeDirectory() + "/out.log"
        let allowed = try ServeProcess.start(
            [path, "--listen", "127.0.0.1:0", "--env-allow", "PIAPI_E2E_*"],
            environment: environment, outputPath: output)
        let started = await ServeProcess.waitForLine("piapi-serve started", at: output)
        allowed.terminate()
        #expect(await ServeProcess.waitForExit(allowed))
        #expect(started?["routes"] as? Int == 1)
    }

    @Test("an unreadable --upstream-ca-file: exit 1, one line naming it")
    func missingCAFile() async throws {
        let directory = try ServeProcess.makeDirectory()
        let table = directory + "/routes.bin"
        try Data(TableFile.encode(try Self.table(variable: nil), as: .binary)).write(to: URL(fileURLWithPath: table))
        let result = try await ServeProcess.run([
            table, "--listen", "127.0.0.1:0", "--upstream-ca-file", directory + "/none.pem",
        ])
        #expect(result.status == 1)
        #expect(result.errorLines.count == 1)
        #expect(result.standardError.contains("none.pem"))
    }

    @Test(
        "bad flags are usage errors: exit 2",
        arguments: [
            ["--no-such-flag"], ["--listen", "9200"], ["--listen", "[::1]"], ["--log-level", "loud"],
            ["--drain-timeout=-1"], ["--idle-timeout", "inf"], ["--upstream-timeout", "soon"],
            ["--max-connections", "0"], [],
            ["--adaptive-half-life", "0"], ["--adaptive-half-life", "nan"], ["--adaptive-floor", "0"],
            ["--adaptive-floor", "1.5"],
            ["--adaptive-floor=-0.1"], ["--env-allow", "OPENAI-*"], ["--env-allow", "*KEY"], ["--env-allow", ""],
            ["--threads", "0"], ["--threads", "257"], ["--threads", "two"],
        ])
    func usageErrors(flags: [String]) async throws {
        let table = try ServeProcess.makeDirectory() + "/routes.bin"
        try Data(TableFile.encode(try Self.table(variable: nil), as: .binary)).write(to: URL(fileURLWithPath: table))
        let result = try await ServeProcess.run(flags.isEmpty ? [] : [table] + flags)
        #expect(result.status == 2)
        #expect(!result.standardError.isEmpty)
    }
}
