/// The three ways diagnostics are printed: `human` (stderr, with excerpts), `json` and
/// `github` (stdout: they are the command's output in CI).
public enum DiagnosticsFormat: String, CaseIterable, Sendable {
    case human
    case json
    case github

    /// The text to print and whether it belongs on stdout.
    public func render(_ diagnostics: [Diagnostic], source: ConfigSource) -> (text: String, toStandardOutput: Bool) {
        switch self {
        case .human: (HumanDiagnosticFormatter.format(diagnostics, source: source), false)
        case .json: (JSONDiagnosticFormatter.format(diagnostics, fileName: source.fileName), true)
        case .github: (GitHubDiagnosticFormatter.format(diagnostics, fileName: source.fileName), true)
        }
    }
}
