import ArgumentParser

/// The `piapi-usage` command: wiring only; the queries and formats live in `PiapiLedger`.
@main
struct PiapiUsage: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "piapi-usage",
        abstract: "Read piapi's request ledger.",
        discussion: """
            Exit status: 0 ok, 1 no such ledger or a failed query, 2 usage error. No output or error ever shows the ledger's password.
            """,
        subcommands: [ReportCommand.self]
    )

    /// Runs the command, mapping argument-parser's usage status (64) to 2 as piapi-compile does.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                StandardError.write(fullMessage(for: error) + "\n")
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}
