import ArgumentParser

/// Benchmark helpers for `bench/*.sh`: synthetic configs and in-process table timings.
/// Not shipped; measurements live in scripts, never in tests.
@main
struct PiapiBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "piapi-bench",
        abstract: "Generate synthetic configs and time route-table loading and lookups.",
        subcommands: [GenerateConfig.self, TimeTable.self])
}
