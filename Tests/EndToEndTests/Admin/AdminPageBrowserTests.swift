import Foundation
import Testing

/// The status page in a real browser: headless Chromium loads it from a running piapi-serve
/// with traffic, its scripts fetch the API, and the test reads what the page then shows.
/// Skipped when no Chromium is installed, except in CI (`CI=true`), where that fails.
@Suite("Admin status page in Chromium", .serialized)
struct AdminPageBrowserTests {
    /// Where screenshots go: `PIAPI_ADMIN_SCREENSHOTS` (e.g. `docs`) or a scratch directory.
    static func screenshotDirectory() throws -> String {
        try ProcessInfo.processInfo.environment["PIAPI_ADMIN_SCREENSHOTS"] ?? ServeProcess.makeDirectory()
    }

    /// The text content of an HTML document, tags dropped and whitespace folded.
    static func text(of html: String) -> String {
        var text = html.replacingOccurrences(of: "<script>[\\s\\S]*?</script>", with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: "<style>[\\s\\S]*?</style>", with: " ", options: .regularExpression)
        text = text.replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
        return text.replacingOccurrences(of: "\\s+", with: " ", options: .regularExpression)
    }

    @Test(
        "routes with health and cooldown countdowns, requests, reloads and the usage chart; names only",
        .enabled(if: Chromium.shouldRun))
    func pageShowsTheGateway() async throws {
        let serve = try await AdminServe.start()
        do {
            try await serve.traffic()
            // The browser logs in the way a person would: HTTP Basic, the token as the password.
            let url = "http://admin:\(AdminServe.token)@127.0.0.1:\(serve.adminPort)/"
            let dom = try await Chromium.dumpDOM(url)
            let text = Self.text(of: dom)

            #expect(!text.contains("Cannot refresh"), "the page could not reach the API: \(text.prefix(400))")
            #expect(text.contains("3 users"))
            // Routes, with the revoked key cooling and counting down from 10 minutes.
            for route in ["alice/codex", "bob/codex", "bob/claude_code", "carol/codex"] {
                #expect(dom.contains("data-route=\"\(route)\""), "\(route)")
            }
            let cooling = try #require(
                text.range(of: "cooling \\d+m \\d\\ds", options: .regularExpression),
                "no countdown in \(text.prefix(600))")
            #expect(text[cooling].hasPrefix("cooling 9m") || text[cooling].hasPrefix("cooling 10m"))
            #expect(text.contains("unauthorized"))
            #expect(dom.contains("data-pair=\"revoked/old-key\""))
            // Recent requests, newest first, with the 502 and the failover.
            #expect(dom.components(separatedBy: "data-request=\"").count - 1 >= 10)
            #expect(text.contains("502"))
            #expect(text.contains("revoked/old-key ✗ unauthorized → alpha/main-key ✓"))
            // Reloads: the refused file with its error, then the good one.
            #expect(dom.contains("data-result=\"failure\""))
            #expect(dom.contains("data-result=\"success\""))
            #expect(text.contains("cannot load route table"))
            // The chart: one bar per user for today (requests, as records carry no tokens yet).
            #expect(text.contains("Requests per user per day"))
            for user in ["alice", "bob", "carol"] {
                #expect(dom.contains("<rect") && dom.contains("data-user=\"\(user)\""), "\(user)")
            }
            for secret in try serve.forbidden() {
                #expect(!dom.contains(secret), "the page shows a secret starting \(secret.prefix(8))")
            }

            let directory = try Self.screenshotDirectory()
            let laptop = directory + "/admin-status-page.png"
            let phone = directory + "/admin-status-page-phone.png"
            try await Chromium.screenshot(url, to: laptop, width: 1280, height: 1500)
            try await Chromium.screenshot(url, to: phone, width: 390, height: 1400)
            for path in [laptop, phone] {
                let bytes = try #require(FileManager.default.contents(atPath: path), "no screenshot at \(path)")
                #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
                #expect(bytes.count > 20_000)
            }
        } catch {
            await serve.stop()
            throw error
        }
        await serve.stop()
    }

    @Test("without the token the browser gets the 401 challenge and no page", .enabled(if: Chromium.shouldRun))
    func pageNeedsToken() async throws {
        let serve = try await AdminServe.start()
        do {
            let dom = try await Chromium.dumpDOM("http://127.0.0.1:\(serve.adminPort)/", budget: 1000)
            #expect(!dom.contains("piapi admin"))
            #expect(!dom.contains("data-route"))
        } catch {
            await serve.stop()
            throw error
        }
        await serve.stop()
    }
}
