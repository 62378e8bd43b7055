/// A config shaped like the benchmark's large one: many users over a few providers.
enum BigConfig {
    static func make(users: Int) -> String {
        var lines = ["providers:"]
        for p in 0..<3 {
            lines += ["  - name: prov-\(p)", "    apiKeys:"]
            lines += (0..<5).map { "      key-\($0): sk-\(p)-\($0)-fake" }
            lines += ["    services:"]
            for service in ["codex", "claude_code"] {
                lines += ["      - type: \(service)", "        baseUrl: https://api.prov-\(p).test/\(service)"]
            }
        }
        lines.append("users:")
        for u in 0..<users {
            lines += [
                "  - name: user-\(u)",
                "    apiKey: piapi-user-\(u)-fake-key",
                "    services:",
                "      codex: { providerName: prov-\(u % 3), providerKeyName: key-\(u % 5) }",
                "      claude_code: { providerName: prov-\((u + 1) % 3), providerKeyName: key-\((u + 2) % 5) }",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
