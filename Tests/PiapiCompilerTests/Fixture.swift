import PiapiCompiler
import RouteTable

/// The valid config the rule tests start from (no diagnostics at all); each case swaps
/// one line, so positions in the expectations can be read off the text below.
enum Fixture {
    static let secrets = [
        "sk-alpha-secret-1", "sk-alpha-secret-2", "sk-beta-secret-3", "user-alice-secret", "user-bob-secret",
    ]

    static let valid = """
        providers:
          - name: alpha
            apiKeys:
              main: sk-alpha-secret-1
              backup: sk-alpha-secret-2
            services:
              - type: codex
                baseUrl: https://api.alpha.test/v1
                auth: { mode: header, name: Authorization, prefix: "Bearer " }
          - name: beta
            apiKeys: { prod: sk-beta-secret-3 }
            services:
              - type: codex
                baseUrl: https://api.beta.test/codex?v=2
                auth: { mode: query, name: api_key }
        users:
          - name: Alice
            apiKey: user-alice-secret
            services:
              codex: { providerName: alpha, providerKeyName: main }
          - name: Bob
            apiKey: user-bob-secret
            services:
              codex:
                strategy: weighted_rr
                candidates:
                  - { providerName: alpha, providerKeyName: backup, weight: 3 }
                  - { providerName: beta, providerKeyName: prod }

        """

    /// `valid` with line `line` (1-based) replaced by `text` (which may span several lines).
    static func replacing(line: Int, with text: String) -> String {
        var lines = valid.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[line - 1] = text
        return lines.joined(separator: "\n")
    }

    /// `valid` with lines `range` (1-based, inclusive) replaced by `text`.
    static func replacing(lines range: ClosedRange<Int>, with text: String) -> String {
        var lines = valid.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.replaceSubrange((range.lowerBound - 1)...(range.upperBound - 1), with: [text])
        return lines.joined(separator: "\n")
    }

    /// `valid` with `text` inserted before line `line`.
    static func inserting(_ text: String, before line: Int) -> String {
        var lines = valid.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.insert(text, at: line - 1)
        return lines.joined(separator: "\n")
    }

    /// `valid` with `text` added at the end: its first line is line 29.
    static func appending(_ text: String) -> String {
        valid + text + "\n"
    }

    static func compile(_ yaml: String, file: String = "config.yaml") -> CompileOutcome {
        ConfigCompiler.compile(Array(yaml.utf8), fileName: file)
    }
}
