import Foundation
import MockUpstream
import PiapiTestSupport

/// Runs the real `piapi-serve` built next to this test bundle and collects what it printed.
struct ServeProcess {
    struct Result {
        let status: Int32
        let standardOutput: String
        let standardError: String

        var errorLines: [Substring] { standardError.split(separator: "\n") }
    }

    /// The executable beside the running test binary (`.build/<config>/piapi-serve`).
    static var executable: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("piapi-serve")
    }

    /// Runs `piapi-serve arguments…` to completion with exactly `environment`, waiting on a
    /// dispatch thread so no cooperative thread of the test runner is blocked. A process still
    /// running after `limit` seconds (one that started when it should have refused) is sent
    /// SIGTERM, so the test fails on its status instead of hanging.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], within limit: Double = 30
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Swift.Result { try runBlocking(arguments, environment: environment, limit: limit) })
            }
        }
    }

    private static func runBlocking(
        _ arguments: [String], environment: [String: String], limit: Double
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = withSanitizerOptions(environment)
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + limit) { if process.isRunning { process.terminate() } }
        // Read both to the end before waiting, so a chatty child cannot block on a full pipe.
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, standardOutput: String(decoding: outputData, as: UTF8.self),
            standardError: String(decoding: errorData, as: UTF8.self))
    }

    /// Starts `piapi-serve arguments…` in the background with its stdout going to `outputPath`.
    static func start(
        _ arguments: [String], environment: [String: String] = [:],
        outputPath: String
    ) throws -> Process {
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = withSanitizerOptions(environment)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// `environment` plus this run's sanitizer options (scripts/sanitize.sh), so a sanitized
    /// piapi-serve uses the same suppressions and report files as the test runner.
    private static func withSanitizerOptions(_ environment: [String: String]) -> [String: String] {
        var merged = environment
        for name in ["ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"] {
            if let value = ProcessInfo.processInfo.environment[name] { merged[name] = value }
        }
        return merged
    }

    /// The JSON log lines written so far to `outputPath`, parsed.
    static func logLines(at outputPath: String) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: outputPath) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap {
            try? JSONSerialization.jsonObject(with: Data($0)) as? [String: Any]
        }
    }

    /// Waits (checking every 20 ms, at most `limit` seconds; generous for a loaded CI machine) for a log line with `message`.
    static func waitForLine(_ message: String, at outputPath: String, within limit: Double = 30) async -> [String: Any]?
    {
        let deadline = Date().addingTimeInterval(limit)
        repeat {
            if let line = logLines(at: outputPath).first(where: { $0["message"] as? String == message }) { return line }
            try? await Task.sleep(for: .milliseconds(20))
        } while Date() < deadline
        return nil
    }

    /// Waits for `process` to exit without blocking a thread of the test runner's small pool
    /// (a blocked pool starves every other async test on a 2-core machine).
    static func waitForExit(_ process: Process, within limit: Double = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(limit)
        while process.isRunning {
            guard Date() < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// A 127.0.0.1 port that refuses connections (`RefusedPort`).
    static func unusedPort() async throws -> Int {
        RefusedPort.port
    }

    /// A fresh empty directory for one test's files.
    static func makeDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("piapi-e2e-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
