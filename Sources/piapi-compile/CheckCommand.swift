import ArgumentParser
import PiapiCompiler

/// `piapi-compile check CONFIG`: validate only, for pull requests and pre-commit hooks.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate CONFIG without writing anything.",
        discussion: """
            Examples:
              piapi-compile check config.yaml
              piapi-compile check config.yaml --diagnostics github --strict
            """
    )

    @Argument(help: "The config file (YAML).")
    var config: String

    @OptionGroup var options: DiagnosticsOptions

    func run() throws {
        let outcome = try ConfigLoading.compile(config, options: options)
        if options.diagnostics == .human, let table = outcome.table {
            FileHandleOutput.standardError("\(config): ok (\(TableSummary.describe(table)))\n")
        }
    }
}
