import Foundation

/// Machine-readable diagnostics: one JSON object with the file, the counts and the list,
/// so tools need no parsing of the human text.
public enum JSONDiagnosticFormatter {
    struct Report: Encodable {
        struct Item: Encodable {
            var severity: String
            var line: Int
            var column: Int
            var message: String
            var note: String?
        }

        var file: String
        var errors: Int
        var warnings: Int
        var diagnostics: [Item]
    }

    public static func format(_ diagnostics: [Diagnostic], fileName: String) -> String {
        let report = Report(
            file: fileName, errors: diagnostics.errorCount, warnings: diagnostics.warningCount,
            diagnostics: diagnostics.map {
                .init(
                    severity: $0.severity.rawValue, line: $0.location.line, column: $0.location.column,
                    message: $0.message, note: $0.note)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(report) else { return "{}\n" }
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
