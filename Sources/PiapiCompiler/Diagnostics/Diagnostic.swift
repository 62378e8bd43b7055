/// One finding about the config, tied to a place in it. Messages name fields, providers,
/// keys and indices, never a secret value.
public struct Diagnostic: Hashable, Sendable {
    public enum Severity: String, Sendable {
        case error
        case warning
    }

    public var severity: Severity
    public var location: SourceLocation
    public var message: String
    /// A follow-up such as "did you mean 'baseUrl'?", printed as a note.
    public var note: String?

    public init(_ severity: Severity, at location: SourceLocation, _ message: String, note: String? = nil) {
        self.severity = severity
        self.location = location
        self.message = message
        self.note = note
    }

    /// Position first, errors before warnings at the same spot, then by text: a stable order.
    static func reportOrder(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        if a.location != b.location { return a.location < b.location }
        if a.severity != b.severity { return a.severity == .error }
        return a.message < b.message
    }
}

extension Array where Element == Diagnostic {
    public var errorCount: Int { count { $0.severity == .error } }
    public var warningCount: Int { count { $0.severity == .warning } }

    /// "2 errors, 1 warning".
    public var summary: String {
        "\(TableSummary.counted(errorCount, "error")), \(TableSummary.counted(warningCount, "warning"))"
    }
}
