import Foundation
import PiapiCompiler
import RouteTable
import Testing

/// The documented example in `configs/` stays valid and warning-free.
struct ExampleConfigTests {
    @Test func theExampleConfigCompilesCleanly() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../configs/config.example.yaml").standardized.path
        let outcome = try ConfigCompiler.compile(path: path)
        #expect(outcome.diagnostics.isEmpty, "\(outcome.diagnostics)")
        let table = try #require(outcome.table)
        #expect(table.environmentVariables == ["ALPHA_BACKUP_KEY", "ALPHA_MAIN_KEY", "BETA_PROD_KEY"])
        #expect(table.lookup(digest: KeyDigest(ofKey: "piapi-user-bob-fake"), service: "codex")?.route.candidates.count == 3)
    }
}
