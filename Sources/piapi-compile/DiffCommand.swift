import ArgumentParser
import PiapiCompiler

/// `piapi-compile diff OLD NEW`: the route, limit and price changes a config change makes, for review.
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract:
            "Show which user × service routes OLD → NEW adds, removes or changes, and what changes in limits and prices.",
        discussion: """
            Each side may be a compiled table (binary or JSON) or a config file. Users are matched by key digest and shown by name; secrets stay redacted. Limits are compared per user as they take effect (defaults merged), prices per model. Exits 0 whether or not anything differs.

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
