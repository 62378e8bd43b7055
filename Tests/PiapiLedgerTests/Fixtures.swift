import Foundation
import PiapiLedger

/// Rows and times for the ledger tests.
enum Fixtures {
    /// `2026-04-15T10:00:00Z`-style text → Date (whole seconds or milliseconds).
    static func time(_ text: String) -> Date {
        guard let date = ReportTime.parse(text, now: Date()) else { fatalError("bad fixture time \(text)") }
        return date
    }

    static func row(
        _ time: Date, id: String = UUID().uuidString, user: String? = "alice", service: String? = "openai",
        provider: String? = "openai-direct", key: String? = "main", model: String? = "gpt-test", status: Int = 200,
        input: Int? = 100, cacheRead: Int? = 10, cacheWrite: Int? = 5, output: Int? = 50, reasoning: Int? = 20,
        cost: Double? = 0.25
    ) -> LedgerRow {
        LedgerRow(
            time: time, requestID: id, user: user, serviceType: service, provider: provider, keyName: key, model: model,
            status: status, latencyMs: 12.5, ttfbMs: 3.25, bytesIn: 300, bytesOut: 1_200, inputTokens: input,
            cacheReadTokens: cacheRead, cacheWriteTokens: cacheWrite, outputTokens: output, reasoningTokens: reasoning,
            costUSD: cost, partial: false, attempts: #"[{"provider":"openai-direct","key":"main","outcome":"ok"}]"#,
            tableHash: "abc123")
    }

    /// Polls `condition` every 50 ms until it holds or `seconds` pass.
    static func eventually(within seconds: Double, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}
