import ArgumentParser

/// Writes a config.yaml of a chosen size to stdout, optionally with broken routes, so the
/// compiler's speed can be measured on realistic input.
struct GenerateConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen-config",
        abstract: "Print a synthetic config: USERS users × 2 services over PROVIDERS providers.")

    @Option var users = 10_000
    @Option var providers = 100
    @Option(help: "How many users route to a provider that does not exist (one error each).")
    var broken = 0

    func run() {
        var out = "providers:\n"
        for p in 0..<providers {
            out += """
                  - name: provider-\(p)
                    apiKeys:
                      main: sk-provider-\(p)-main
                      backup: sk-provider-\(p)-backup
                    services:
                      - type: codex
                        baseUrl: https://api.provider-\(p).example/v1/engines
                        auth: { mode: header, name: Authorization, prefix: "Bearer " }
                      - type: claude_code
                        baseUrl: https://api.provider-\(p).example/v1/claude
                        auth: { mode: header, name: x-api-key, prefix: "" }

                """
        }
        out += "users:\n"
        print(out, terminator: "")
        for u in 0..<users {
            let p = u % providers
            let codexProvider = u < broken ? "missing-provider-\(u)" : "provider-\(p)"
            print(
                """
                  - name: user-\(u)
                    apiKey: piapi-user-\(u)-key
                    services:
                      codex: { providerName: \(codexProvider), providerKeyName: \(u % 2 == 0 ? "main" : "backup") }
                      claude_code: { providerName: provider-\((p + 1) % providers), providerKeyName: main }
                """)
        }
    }
}
