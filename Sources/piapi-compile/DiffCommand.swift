import ArgumentParser
import PiapiCompiler

/// `piapi-compile diff OLD NEW`: the route changes a config change makes, for review.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show which user × service routes OLD → NEW adds, removes or changes.",
        discussion: """
            Each side may be a compiled table (binary or JSON) or a config file. Users are matched by key digest and shown by name; secrets stay redacted. Exits 0 whether or not routes differ.

            Examples:
              piapi-compile diff routes.bin config.yaml
              piapi-compile diff old/config.yaml new/config.yaml
            """
    )

    @Argument(help: "The old table or config.")
    var old: String

    @Argument(help: "The new table or config.")
    var new: String

    func run() throws {
        let before = try ConfigLoading.table(old)
        let after = try ConfigLoading.table(new)
        FileHandleOutput.standardOutput(RouteDiff(old: before, new: after).render())
    }
}
