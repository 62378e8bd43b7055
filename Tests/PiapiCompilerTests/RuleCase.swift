import PiapiCompiler
import Testing

/// One validation rule or warning: a config that breaks it and where the diagnostic must land.
struct RuleCase: Sendable, CustomTestStringConvertible {
    let name: String
    let yaml: String
    let severity: Diagnostic.Severity
    let line: Int
    let column: Int
    let message: String

    init(
        _ name: String, _ yaml: String, _ severity: Diagnostic.Severity = .error, at line: Int, _ column: Int,
        _ message: String
    ) {
        self.name = name
        self.yaml = yaml
        self.severity = severity
        self.line = line
        self.column = column
        self.message = message
    }

    var testDescription: String { name }

    /// Checks the case: the diagnostic is there, at that spot, and errors block the table.
    func verify() {
        let outcome = Fixture.compile(yaml)
        let match = outcome.diagnostics.first { $0.severity == severity && $0.message.contains(message) }
        #expect(match != nil, "no \(severity) containing \"\(message)\" in \(outcome.diagnostics)")
        #expect(match?.location == SourceLocation(line: line, column: column), "\(outcome.diagnostics)")
        if severity == .error {
            #expect(outcome.table == nil)
        } else {
            #expect(outcome.table != nil, "\(outcome.diagnostics)")
        }
    }
}
