import ArgumentParser
import PiapiCompiler
import RouteTable

/// `piapi-compile CONFIG -o OUT`: validate, then write the table atomically (mode 0600).
struct CompileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Validate CONFIG and write the compiled route table (the default command).",
        discussion: """
            The table is written to a temporary file and renamed over OUT, with mode 0600. Same config, same bytes. An OUT ending in .json is written as JSON.

            Examples:
              piapi-compile config.yaml -o routes.bin
              piapi-compile config.yaml -o routes.json --strict
            """
    )

    @Argument(help: "The config file (YAML).")
    var config: String

    @Option(name: [.short, .customLong("output")], help: "Where to write the table.")
    var output: String

    @Option(name: .long, help: "binary or json (default: json when OUT ends in .json, else binary).")
    var format: TableFile.Format?

    @OptionGroup var options: DiagnosticsOptions

    func run() throws {
        let outcome = try ConfigLoading.compile(config, options: options)
        guard let table = outcome.table else { throw ExitCode(1) }
        let chosen = format ?? (output.lowercased().hasSuffix(".json") ? .json : .binary)
        do {
            try TableFile.writeAtomically(TableFile.encode(table, as: chosen), to: output)
        } catch {
            throw ConfigLoading.ioFailure(error)
        }
        FileHandleOutput.standardError("wrote \(output) (\(chosen.rawValue)): \(TableSummary.describe(table))\n")
    }
}
