import RouteTable

/// What compiling one config produced: every diagnostic (sorted by position) and, when
/// there was no error, the table.
public struct CompileOutcome: Sendable {
    public let source: ConfigSource
    public let diagnostics: [Diagnostic]
    public let table: RouteTable?

    /// Whether the run counts as failed: any error, or any warning under `--strict`.
    public func failed(strict: Bool) -> Bool {
        table == nil || (strict && diagnostics.warningCount > 0)
    }
}
