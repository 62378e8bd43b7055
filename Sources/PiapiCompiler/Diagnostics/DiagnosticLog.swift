/// Collects the diagnostics of one run (every error, not just the first) and the spans of
/// secret scalars that excerpts must mask.
struct DiagnosticLog {
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var secretSpans: [SourceSpan] = []

    var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    mutating func error(_ location: SourceLocation, _ message: String, note: String? = nil) {
        diagnostics.append(Diagnostic(.error, at: location, message, note: note))
    }

    mutating func warning(_ location: SourceLocation, _ message: String, note: String? = nil) {
        diagnostics.append(Diagnostic(.warning, at: location, message, note: note))
    }

    mutating func append(_ more: [Diagnostic]) {
        diagnostics.append(contentsOf: more)
    }

    /// Marks a node as holding a secret, so no excerpt ever shows its text.
    mutating func markSecret(_ node: YAMLNode) {
        secretSpans.append(node.span)
    }

    var sorted: [Diagnostic] { diagnostics.sorted(by: Diagnostic.reportOrder) }
}
