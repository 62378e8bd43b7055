import Foundation
import MockUpstream
import PiapiTestSupport
import Testing

/// The real `piapi-mock-upstream` binary (built next to the test bundle by `swift build`):
/// exit statuses of bad invocations, and the start-up line and report it prints.
@Suite struct MockUpstreamCommandLineTests {
    static var binary: URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("piapi-mock-upstream")
    }

    /// Runs the binary to completion; returns its status and stderr.
    private func runToEnd(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stderr, as: UTF8.self))
    }

    @Test(arguments: [["--listen", "nonsense"], ["--events", "0"], ["--delay-ms", "-1"], ["--bogus"]])
    func usageErrorsExitTwo(arguments: [String]) throws {
        let result = try runToEnd(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("Error: "))
    }

    @Test func aPortInUseIsAOneLineErrorAndExitOne() async throws {
        try await RunningMockUpstream.with { mock in
            let result = try runToEnd(["--listen", "127.0.0.1:\(mock.port)"])
            #expect(result.status == 1)
            #expect(result.stderr.hasPrefix("piapi-mock-upstream: cannot listen on 127.0.0.1:\(mock.port)"))
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func printsItsPortThenOneRedactedLinePerRequest() async throws {
        let secret = "sk-cli-secret-0042"
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["--listen", "127.0.0.1:0"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        defer { process.terminate() }

        let lines = LineReader(out.fileHandleForReading)
        let first = try #require(lines.next())
        #expect(first.hasPrefix("piapi-mock-upstream listening on 127.0.0.1:"))
        let port = try #require(first.split(separator: ":").last.flatMap { Int($0) })

        _ = try await TestConnection.request(
            port: port,
            "GET /v1/models HTTP/1.1\r\nHost: up\r\nAuthorization: Bearer \(secret)\r\nConnection: close\r\n\r\n")
        let report = try #require(lines.next())
        #expect(
            report.hasPrefix(
                "GET /v1/models | credential: header authorization=Bearer <redacted, \(secret.count) chars>"))
        #expect(!report.contains(secret))
    }
}
