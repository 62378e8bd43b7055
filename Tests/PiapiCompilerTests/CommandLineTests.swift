import Foundation
import PiapiCompiler
import RouteTable
import Testing

/// The real `piapi-compile` binary (built next to the test bundle by `swift build`):
/// exit statuses, output streams, written files, and no secret in anything it prints.
struct CommandLineTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binary: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("piapi-compile")
    }

    /// Runs the binary on a dispatch thread: waiting for a child process must not block one
    /// of Swift Testing's few cooperative threads, or parallel tests elsewhere starve.
    private func run(_ arguments: [String]) async throws -> Run {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try Self.runBlocking(arguments) })
            }
        }
    }

    private static func runBlocking(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// A fresh directory holding `files`, removed by the caller.
    private func directory(_ files: [String: [UInt8]]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("piapi-compile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, bytes) in files { try Data(bytes).write(to: dir.appendingPathComponent(name)) }
        return dir
    }

    private func expectNoSecrets(_ run: Run, extra: [String] = []) {
        for secret in Fixture.secrets + extra {
            #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret), "output shows \(secret)")
        }
    }

    @Test func compileWritesABinaryTableWithMode0600() async throws {
        let dir = try directory(["config.yaml": Array(Fixture.valid.utf8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("routes.bin").path
        let result = try await run([dir.appendingPathComponent("config.yaml").path, "-o", out])
        #expect(result.status == 0, "\(result.stderr)")
        let table = try TableFile.load(path: out)
        #expect(table == Fixture.compile(Fixture.valid).table)
        let attributes = try FileManager.default.attributesOfItem(atPath: out)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try TableFile.read(path: out).starts(with: BinaryFormat.magic))
        expectNoSecrets(result)
    }

    @Test func aJsonOutputNameWritesJson() async throws {
        let dir = try directory(["config.yaml": Array(Fixture.valid.utf8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("routes.json").path
        let result = try await run(["compile", dir.appendingPathComponent("config.yaml").path, "-o", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try TableFile.read(path: out).first == UInt8(ascii: "{"))
        #expect(try TableFile.load(path: out) == Fixture.compile(Fixture.valid).table)
    }

    @Test func sameConfigSameBytes() async throws {
        let dir = try directory(["config.yaml": Array(Fixture.valid.utf8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.yaml").path
        for name in ["a.bin", "b.bin"] { _ = try await run([config, "-o", dir.appendingPathComponent(name).path]) }
        let a = try TableFile.read(path: dir.appendingPathComponent("a.bin").path)
        #expect(!a.isEmpty)
        #expect(a == (try TableFile.read(path: dir.appendingPathComponent("b.bin").path)))
    }

    @Test func anInvalidConfigExitsOneWithHumanDiagnosticsOnStandardError() async throws {
        let dir = try directory(["config.yaml": Array(DiagnosticFormatTests.broken.utf8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.yaml").path
        let out = dir.appendingPathComponent("routes.bin").path
        let result = try await run([config, "-o", out])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("\(config):14:9: error: unknown field 'baseURL' in service"))
        #expect(result.stderr.hasSuffix("4 errors, 1 warning\n"))
        #expect(!FileManager.default.fileExists(atPath: out))
        expectNoSecrets(result)
    }

    /// Found by the review: `inspect` and `diff` of an invalid config printed ArgumentParser's
    /// developer error ("Can't read a value from a parsable argument definition") and no diagnostic.
    @Test func inspectAndDiffOfAnInvalidConfigPrintItsDiagnostics() async throws {
        let dir = try directory(["config.yaml": Array(DiagnosticFormatTests.broken.utf8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.yaml").path
        for arguments in [["inspect", config], ["diff", config, config]] {
            let result = try await run(arguments)
            #expect(result.status == 1, "\(arguments[0])")
            #expect(
                result.stderr.contains("\(config):14:9: error: unknown field 'baseURL' in service"), "\(arguments[0])")
            #expect(!result.stderr.contains("parsable argument"), "\(arguments[0])")
            expectNoSecrets(result)
        }
    }

    @Test(arguments: ["json", "github"])
    func machineFormatsGoToStandardOutput(_ format: String) async throws {
        let dir = try directory(["config.yaml": Array(SecretRedactionTests.brokenSecrets.utf8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await run(["check", dir.appendingPathComponent("config.yaml").path, "--diagnostics", format])
        #expect(result.status == 1)
        #expect(result.stdout.contains(format == "json" ? "\"severity\" : \"error\"" : "::error file="))
        #expect(result.stderr.isEmpty)
        expectNoSecrets(result)
    }

    @Test func strictTurnsWarningsIntoFailure() async throws {
        let yaml = Fixture.replacing(line: 14, with: "        baseUrl: http://api.beta.test/codex")
        let dir = try directory(["config.yaml": Array(yaml.utf8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.yaml").path
        let relaxed = try await run(["check", config])
        #expect(relaxed.status == 0)
        #expect(relaxed.stderr.contains("warning: baseUrl uses plain http://"))
        let strict = try await run(["check", config, "--strict"])
        #expect(strict.status == 1)
        #expect(strict.stderr.contains("0 errors, 1 warning"))
    }

    @Test(
        arguments: YAMLReaderTests.hostile.map { ($0.name, $0.bytes) } + [
            ("5 MB file", Array("providers: []\n".utf8) + [UInt8](repeating: UInt8(ascii: "#"), count: 5 << 20))
        ])
    func hostileFilesGiveOneErrorAndExitOne(_ name: String, _ bytes: [UInt8]) async throws {
        let dir = try directory(["config.yaml": bytes])
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try await run(["check", dir.appendingPathComponent("config.yaml").path])
        #expect(result.status == 1, "\(name)")
        let errorLines = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errorLines.count == 1, "\(name): \(result.stderr)")
        #expect(result.stderr.hasSuffix("1 error, 0 warnings\n"), "\(name)")
    }

    @Test func usageAndInputOutputErrorsExitTwo() async throws {
        let dir = try directory(["config.yaml": Array(Fixture.valid.utf8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.yaml").path
        #expect(try await run([]).status == 2)
        #expect(try await run([config]).status == 2, "missing -o")
        #expect(try await run(["check", config, "--bogus"]).status == 2)
        #expect(try await run(["check", config, "--diagnostics", "xml"]).status == 2)
        let missing = try await run(["check", dir.appendingPathComponent("nope.yaml").path])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot open"))
        #expect(try await run([config, "-o", dir.appendingPathComponent("no/such/dir/routes.bin").path]).status == 2)
        let corrupt = dir.appendingPathComponent("bad.bin")
        try Data(BinaryFormat.magic + [1, 0, 0, 0]).write(to: corrupt)
        #expect(try await run(["inspect", corrupt.path]).status == 2)
    }

    @Test func anEndlessConfigIsCutAtTheSizeLimit() async throws {
        let result = try await run(["check", "/dev/zero"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("/dev/zero:1:1: error: the config is larger than the limit"))
    }

    @Test func helpExitsZero() async throws {
        for arguments in [
            ["--help"], ["check", "--help"], ["inspect", "--help"], ["diff", "--help"], ["compile", "--help"],
        ] {
            let result = try await run(arguments)
            #expect(result.status == 0, "\(arguments)")
            #expect(result.stdout.contains("USAGE:"), "\(arguments)")
        }
    }

    @Test func inspectReadsTablesAndConfigsAndRedacts() async throws {
        let dir = try directory(["config.yaml": Array(Fixture.valid.utf8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.yaml").path
        let table = dir.appendingPathComponent("routes.json").path
        #expect(try await run([config, "-o", table]).status == 0)
        let fromTable = try await run(["inspect", table])
        let fromConfig = try await run(["inspect", config])
        #expect(fromTable.status == 0 && fromConfig.status == 0)
        #expect(fromTable.stdout == fromConfig.stdout)
        #expect(fromTable.stdout.contains("query api_key=<redacted>"))
        expectNoSecrets(fromTable)
    }

    @Test func diffExitsZeroWhetherOrNotRoutesDiffer() async throws {
        let changed = Fixture.replacing(line: 4, with: "      main: sk-alpha-rotated")
        let dir = try directory(["old.yaml": Array(Fixture.valid.utf8), "new.yaml": Array(changed.utf8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = dir.appendingPathComponent("old.yaml").path
        let new = dir.appendingPathComponent("new.yaml").path
        let table = dir.appendingPathComponent("old.bin").path
        #expect(try await run([old, "-o", table]).status == 0)
        let same = try await run(["diff", table, old])
        #expect(same.status == 0)
        #expect(same.stdout == "no route changes\n")
        let different = try await run(["diff", table, new])
        #expect(different.status == 0)
        #expect(different.stdout.contains("credential value changed (redacted)"))
        expectNoSecrets(different, extra: ["sk-alpha-rotated"])
        let invalid = dir.appendingPathComponent("bad.yaml")
        try Data(DiagnosticFormatTests.broken.utf8).write(to: invalid)
        #expect(try await run(["diff", old, invalid.path]).status == 1)
    }

    @Test func limitsAndPricesTravelThroughACompiledTable() async throws {
        let dir = try directory(["config.yaml": Array(LimitsPricesInspectDiffTests.limited.utf8)])
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("config.yaml").path
        for name in ["routes.bin", "routes.json"] {
            let out = dir.appendingPathComponent(name).path
            let compiled = try await run([config, "-o", out])
            #expect(compiled.status == 0, "\(compiled.stderr)")
            let inspected = try await run(["inspect", out])
            #expect(inspected.status == 0)
            #expect(
                inspected.stdout.contains(
                    "Alice  60                 16                  -             -               -          200\n"))
            #expect(inspected.stdout.contains("claude-sonnet-4-5  3      15      0.3        3.75\n"))
            let diffed = try await run(["diff", out, config])
            #expect(diffed.status == 0)
            #expect(diffed.stdout == "no route changes\n")
            expectNoSecrets(inspected)
        }
    }
}
