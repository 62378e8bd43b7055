import Foundation
import Glibc
import RouteTable
import Testing

/// piapi-serve's life with a valid table: the start-up line, a reload when the file changes,
/// SIGHUP, and a drained exit 0 on SIGTERM.
@Suite("piapi-serve lifecycle")
struct ServeLifecycleTests {
    @Test("starts, reloads on change and on SIGHUP, drains and exits 0 on SIGTERM, never logs a secret")
    func lifecycle() async throws {
        let directory = try ServeProcess.makeDirectory()
        let tablePath = directory + "/routes.bin"
        let output = directory + "/stdout.log"
        let first = try ServeStartupTests.table(variable: "PIAPI_E2E_UPSTREAM_KEY")
        try TableFile.writeAtomically(TableFile.encode(first, as: .binary), to: tablePath)
        let secret = ServeStartupTests.upstreamSecret
        let process = try ServeProcess.start(
            [tablePath, "--listen", "127.0.0.1:0", "--drain-timeout", "5"],
            environment: ["PIAPI_E2E_UPSTREAM_KEY": secret], outputPath: output)
        defer { if process.isRunning { process.terminate() } }

        let started = try #require(await ServeProcess.waitForLine("piapi-serve started", at: output))
        #expect(started["table"] as? String == first.contentHash)
        #expect(started["routes"] as? Int == 1)
        let listen = try #require(started["listen"] as? String)
        #expect(listen.hasPrefix("127.0.0.1:"))
        #expect(!listen.hasSuffix(":0"))

        try TableFile.writeAtomically(TableFile.encode(first, as: .json), to: tablePath)  // same table, new file
        #expect(kill(process.processIdentifier, SIGHUP) == 0)
        #expect(await ServeProcess.waitForLine("route table unchanged", at: output) != nil)

        let second = try ServeStartupTests.table(variable: "PIAPI_E2E_UPSTREAM_KEY", users: 2)
        try TableFile.writeAtomically(TableFile.encode(second, as: .binary), to: tablePath)
        let reloaded = try #require(await ServeProcess.waitForLine("route table reloaded", at: output))
        #expect(reloaded["table"] as? String == second.contentHash)
        #expect(reloaded["routes"] as? Int == 2)

        #expect(kill(process.processIdentifier, SIGTERM) == 0)
        #expect(await ServeProcess.waitForExit(process))
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        let all = try String(contentsOfFile: output, encoding: .utf8)
        #expect(all.contains("piapi-serve stopped"))
        #expect(!all.contains(secret))
    }
}
