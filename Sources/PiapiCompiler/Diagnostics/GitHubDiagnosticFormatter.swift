import Foundation

/// GitHub Actions workflow commands (`::error file=…,line=…,col=…::msg`), so a pull
/// request shows each diagnostic on the line it is about.
public enum GitHubDiagnosticFormatter {
    public static func format(_ diagnostics: [Diagnostic], fileName: String) -> String {
        diagnostics.map { diagnostic in
            let message = diagnostic.message + (diagnostic.note.map { " (\($0))" } ?? "")
            let properties =
                "file=\(escapeProperty(fileName)),line=\(diagnostic.location.line),col=\(diagnostic.location.column)"
            return "::\(diagnostic.severity.rawValue) \(properties)::\(escapeData(message))\n"
        }.joined()
    }

    static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
