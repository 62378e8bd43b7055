import ArgumentParser
import PiapiCompiler

/// `piapi-compile inspect TABLE`: every user × service route, secrets redacted.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print every user × service route of a compiled table (or of a config).",
        discussion: """
            Credential values are shown as <redacted>, or as ${VAR} when they are environment references; a leading auth scheme word such as "Bearer" is shown as is.

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
