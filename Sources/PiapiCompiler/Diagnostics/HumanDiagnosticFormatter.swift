/// swiftc-style diagnostics: `file:line:col: error: message`, the source line (secret
/// scalars masked), a caret under the column, notes, then a summary line.
public enum HumanDiagnosticFormatter {
    public static func format(_ diagnostics: [Diagnostic], source: ConfigSource) -> String {
        guard !diagnostics.isEmpty else { return "" }
        let lines = source.lines()
        var out = ""
        for diagnostic in diagnostics {
            let position = "\(source.fileName):\(diagnostic.location.line):\(diagnostic.location.column)"
            out += "\(position): \(diagnostic.severity.rawValue): \(diagnostic.message)\n"
            if let (text, caret) = source.maskedLine(
                diagnostic.location.line, in: lines, caretColumn: diagnostic.location.column)
            {
                out += text + "\n"
                out += String(text.unicodeScalars.prefix(max(0, caret - 1)).map { $0 == "\t" ? "\t" : " " }) + "^\n"
            }
            if let note = diagnostic.note {
                out += "\(position): note: \(note)\n"
            }
        }
        out += diagnostics.summary + "\n"
        return out
    }
}
