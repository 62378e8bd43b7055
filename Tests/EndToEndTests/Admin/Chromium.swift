import Foundation

/// Headless Chromium (Debian's `chromium` package) for the status page test: the DOM after the
/// page's scripts ran, and screenshots.
enum Chromium {
    /// The browser, or nil when none is installed (`PIAPI_CHROMIUM` overrides the search).
    static let executable: String? = {
        let environment = ProcessInfo.processInfo.environment
        let candidates = [
            environment["PIAPI_CHROMIUM"], "/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome",
        ].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// CI must run the browser test: there a missing browser fails it instead of skipping it.
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"

    /// Whether the browser test runs: always in CI, elsewhere only when a browser is installed.
    static let shouldRun = executable != nil || isCI

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "chromium is not installed (apt-get install -y chromium); CI=true makes this a failure"
        }
    }

    /// The serialized DOM of `url` once its scripts ran for `budget` milliseconds of virtual time.
    static func dumpDOM(_ url: String, budget: Int = 5000) async throws -> String {
        try await run(["--virtual-time-budget=\(budget)", "--dump-dom", url]).standardOutput
    }

    /// Saves a PNG of `url` at `width`×`height` CSS pixels after `budget` ms of virtual time.
    static func screenshot(_ url: String, to path: String, width: Int, height: Int, budget: Int = 5000) async throws {
        _ = try await run([
            "--virtual-time-budget=\(budget)", "--window-size=\(width),\(height)", "--hide-scrollbars",
            "--screenshot=\(path)", url,
        ])
    }

    private static func run(_ arguments: [String], within limit: Double = 90) async throws -> ServeProcess.Result {
        guard let executable else { throw Missing() }
        let profile = try ServeProcess.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--disable-extensions", "--disable-background-networking", "--user-data-dir=\(profile)",
        ]
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        let process = Process()
                        process.executableURL = URL(fileURLWithPath: executable)
                        process.arguments = common + arguments
                        let output = Pipe()
                        process.standardOutput = output
                        // Chromium is chatty on stderr (D-Bus, GPU); nothing there is needed.
                        process.standardError = FileHandle.nullDevice
                        try process.run()
                        DispatchQueue.global().asyncAfter(deadline: .now() + limit) {
                            if process.isRunning { process.terminate() }
                        }
                        let outputData = output.fileHandleForReading.readDataToEndOfFile()
                        process.waitUntilExit()
                        return ServeProcess.Result(
                            status: process.terminationStatus,
                            standardOutput: String(decoding: outputData, as: UTF8.self), standardError: "")
                    })
            }
        }
    }
}
