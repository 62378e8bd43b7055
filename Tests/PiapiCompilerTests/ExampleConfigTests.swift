import Foundation
import PiapiCompiler
import RouteTable
import Testing

/// The documented example in `configs/` stays valid and warning-free.
struct ExampleConfigTests {
    @Test func theExampleConfigCompilesCleanly() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../configs/config.example.yaml"
        ).standardized.path
        let outcome = try ConfigCompiler.compile(path: path)
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        let table = try #require(outcome.table)
        #expect(table.environmentVariables == ["ALPHA_BACKUP_KEY", "ALPHA_MAIN_KEY", "BETA_PROD_KEY"])
        #expect(
            table.lookup(digest: KeyDigest(ofKey: "piapi-user-bob-fake"), service: "codex")?.route.candidates.count == 3
        )
        #expect(
            table.user(for: KeyDigest(ofKey: "piapi-user-alice-fake"))?.limits
                == UserLimits(requestsPerMinute: 60, concurrentRequests: 16, usdPerMonth: 200))
        #expect(
            table.user(for: KeyDigest(ofKey: "piapi-user-bob-fake"))?.limits
                == UserLimits(requestsPerMinute: 600, concurrentRequests: 16, tokensPerDay: 20_000_000))
        #expect(table.pricedModels == ["claude-sonnet-4-5", "gpt-4.1-2025-04-14"])
        #expect(
            table.price(for: "gpt-4.1-2025-04-14") == ModelPrice(input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2))
    }
}
