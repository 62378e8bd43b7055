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
        guard diagnostics != .human || !outcome.diagnostics.isEmpty else { return }
        let (text, toStandardOutput) = diagnostics.render(outcome.diagnostics, source: outcome.source)
        if toStandardOutput { FileHandleOutput.standardOutput(text) } else { FileHandleOutput.standardError(text) }
    }
}
