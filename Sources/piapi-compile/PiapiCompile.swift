import ArgumentParser

/// The `piapi-compile` command: wiring only; the work happens in `PiapiCompiler`.
@main
struct PiapiCompile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "piapi-compile",
        abstract: "Validate a piapi config.yaml and compile it into the route table piapi-serve loads.",
        discussion: """
            Every problem in the config is reported in one run, as file:line:column diagnostics. No diagnostic or output ever shows a key value.

            Exit status: 0 ok, 1 invalid config (or warnings under --strict), 2 usage or I/O error.

            Examples:
              piapi-compile config.yaml -o routes.bin
              piapi-compile config.yaml -o routes.json
              piapi-compile check config.yaml --diagnostics github
              piapi-compile inspect routes.bin
              piapi-compile diff routes.bin config.yaml
            """,
        subcommands: [CompileCommand.self, CheckCommand.self, InspectCommand.self, DiffCommand.self],
        defaultSubcommand: CompileCommand.self
    )

    /// Runs the command, mapping argument-parser's usage status (64) to 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandleOutput.standardError(fullMessage(for: error) + "\n")
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
