import ArgumentParser
import PiapiCompiler

/// `piapi-compile inspect TABLE`: every user × service route, secrets redacted, then each
/// user's effective limits and the prices.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract:
            "Print every user × service route of a compiled table (or of a config), each user's limits and the prices.",
        discussion: """
            Credential values are shown as <redacted>, or as ${VAR} when they are environment references; a leading auth scheme word such as "Bearer" is shown as is. When the table has limits or prices, each user's effective limits (defaults merged with the user's own) and the prices (USD per million tokens) follow the routes.

            Example:
              piapi-compile inspect routes.bin
            """
    )

    @Argument(help: "A compiled table (binary or JSON) or a config file.")
    var table: String

    func run() throws {
        FileHandleOutput.standardOutput(TableInspector.render(try ConfigLoading.table(table)))
    }
}
