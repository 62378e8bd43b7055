import ArgumentParser
import Foundation
import Logging
import PiapiLedger

/// `piapi-usage report`: requests, errors, tokens per kind and cost per group over a range.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Requests, errors (status >= 400), tokens per kind and cost, per group.",
        discussion: """
            Times are UTC. --since/--until take 7d or 12h (before now), a day (2026-11-01: its midnight; as --until, the whole day is included) or an instant (2026-11-01T12:00:00Z). Without --since the report starts at the first row; without --until it ends now. Without --by, one line totals everything. Groups are sorted by their values; "(none)" (empty in CSV, null in JSON) is a request without that value, such as one refused before its user was known.

            The password for a PostgreSQL ledger comes from the URL or PGPASSWORD; prefer PGPASSWORD, since a command line is visible to other users of the machine.

            Examples:
              piapi-usage report --ledger sqlite:/var/lib/piapi/ledger.db --since 7d --by user
              piapi-usage report --ledger postgres://piapi@db:5432/piapi --since 2026-11-01 --until 2026-11-30 --by day --by model --format csv
            """
    )

    @Option(help: "The ledger: sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=MODE].")
    var ledger: String

    @Option(help: "Start of the range: 7d, 12h, 2026-11-01 or 2026-11-01T12:00:00Z.")
    var since: String?

    @Option(help: "End of the range (exclusive; a bare day is included whole).")
    var until: String?

    @Option(
        name: .customLong("by"),
        help: "Group by user, service, provider, key, model or day; repeat or separate with commas.")
    var groupBy: [String] = []

    @Option(help: "table, csv or json.")
    var format: UsageReportFormat = .table

    /// Everything the options say, checked before any connection is made.
    private func plan(now: Date) throws -> (LedgerURL, UsageQuery) {
        let url: LedgerURL
        do {
            url = try LedgerURL(ledger)
        } catch {
            throw ValidationError("--ledger: \(error)")
        }
        func time(_ text: String?, _ option: String, asEnd: Bool) throws -> Date? {
            guard let text else { return nil }
            guard let date = ReportTime.parse(text, now: now, asEnd: asEnd) else {
                throw ValidationError("\(option): expected 7d, 12h, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ")
            }
            return date
        }
        let start = try time(since, "--since", asEnd: false)
        let end = try time(until, "--until", asEnd: true)
        if let start, let end, end <= start { throw ValidationError("--until must be later than --since") }
        let dimensions = try groupBy.flatMap { $0.split(separator: ",") }.map { name in
            guard let dimension = ReportDimension(rawValue: name.trimmingCharacters(in: .whitespaces).lowercased())
            else {
                let known = ReportDimension.allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("--by: unknown grouping; use one of \(known)")
            }
            return dimension
        }
        return (url, UsageQuery(since: start, until: end, groupBy: dimensions))
    }

    func validate() throws {
        _ = try plan(now: Date())
    }

    func run() async throws {
        let (url, query) = try plan(now: Date())
        var logger = Logger(label: "piapi-usage") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let report: UsageReport
        do {
            let store = try await Ledger.open(url, mode: .existing, logger: logger)
            do {
                report = try await UsageReport.run(query, on: store)
            } catch {
                await store.close()
                throw error
            }
            await store.close()
        } catch {
            StandardError.write("piapi-usage: error: \(url): \(error)\n")
            throw ExitCode(1)
        }
        FileHandle.standardOutput.write(Data(format.render(report).utf8))
    }
}
