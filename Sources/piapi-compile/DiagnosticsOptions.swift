import ArgumentParser
import PiapiCompiler

/// Options shared by commands that report diagnostics.
struct DiagnosticsOptions: ParsableArguments {
    @Option(name: .long, help: "How to print diagnostics: human (stderr), json or github (stdout).")
    var diagnostics: DiagnosticsFormat = .human

    @Flag(name: .long, help: "Treat warnings as errors (exit 1).")
    var strict = false

    /// Prints the outcome's diagnostics in the chosen format.
    func report(_ outcome: CompileOutcome) {
        Self.report(outcome, as: diagnostics)
    }

    /// For commands without these options (`inspect`, `diff`): a `DiagnosticsOptions()` made by
    /// hand has no parsed values, and reading one stops the program with ArgumentParser's
    /// developer error instead of the diagnostics (found by a review).
    static func report(_ outcome: CompileOutcome, as format: DiagnosticsFormat) {
        guard format != .human || !outcome.diagnostics.isEmpty else { return }
        let (text, toStandardOutput) = format.render(outcome.diagnostics, source: outcome.source)
        if toStandardOutput { FileHandleOutput.standardOutput(text) } else { FileHandleOutput.standardError(text) }
    }
}
