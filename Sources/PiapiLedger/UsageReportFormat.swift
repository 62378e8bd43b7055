import Foundation

/// How `piapi-usage report` prints: a table for people, CSV for spreadsheets, JSON for
/// scripts. All three carry the same numbers; only the table adds a total line and a header
/// saying what counts as an error.
public enum UsageReportFormat: String, Sendable, CaseIterable {
    case table
    case csv
    case json

    public func render(_ report: UsageReport) -> String {
        switch self {
        case .table: table(report)
        case .csv: csv(report)
        case .json: json(report)
        }
    }

    private static let counters = ["requests", "errors", "input", "cache_read", "cache_write", "output", "reasoning"]

    private func table(_ report: UsageReport) -> String {
        let dimensions = report.query.groupBy.map(\.rawValue)
        var lines = [dimensions + Self.counters + ["cost_usd"]]
        func numbers(_ row: UsageReportRow) -> [String] { Self.counts(row) + [row.costUSD.map(Self.money) ?? "-"] }
        lines += report.rows.map { row in row.group.map { $0.map(Self.tableCell) ?? "(none)" } + numbers(row) }
        if !dimensions.isEmpty {
            lines.append(["total"] + Array(repeating: "", count: dimensions.count - 1) + numbers(report.total))
        }
        let widths = (0..<lines[0].count).map { column in lines.map { $0[column].count }.max() ?? 0 }
        let body = lines.map { line in
            line.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                // Group names read left-aligned, numbers right-aligned.
                return column < dimensions.count ? cell + padding : padding + cell
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        let range =
            "from \(report.query.since.map(LedgerTime.display) ?? "the first row") to \(report.query.until.map(LedgerTime.display) ?? "now") (UTC); errors = responses with status >= 400"
        return ([range] + body).joined(separator: "\n") + "\n"
    }

    private func csv(_ report: UsageReport) -> String {
        let header = report.query.groupBy.map(\.rawValue) + Self.counters.map(Self.tokenName) + ["cost_usd"]
        let rows = report.rows.map { row in
            row.group.map { Self.csvField($0 ?? "") } + Self.counts(row) + [row.costUSD.map(Self.money) ?? ""]
        }
        return ([header] + rows).map { $0.joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    private func json(_ report: UsageReport) -> String {
        func object(_ row: UsageReportRow) -> String {
            let group = zip(report.query.groupBy, row.group).map {
                "\(Self.jsonString($0.rawValue)): \($1.map(Self.jsonString) ?? "null")"
            }
            let numbers = zip(Self.counters.map(Self.tokenName), Self.counts(row)).map { "\"\($0)\": \($1)" }
            let cost = "\"cost_usd\": \(row.costUSD.map(Self.money) ?? "null")"
            return "{" + (group + numbers + [cost]).joined(separator: ", ") + "}"
        }
        let by = report.query.groupBy.map { Self.jsonString($0.rawValue) }.joined(separator: ", ")
        return """
            {
              "since": \(report.query.since.map { Self.jsonString(LedgerTime.display($0)) } ?? "null"),
              "until": \(report.query.until.map { Self.jsonString(LedgerTime.display($0)) } ?? "null"),
              "by": [\(by)],
              "groups": [\(report.rows.isEmpty ? "" : "\n    " + report.rows.map(object).joined(separator: ",\n    ") + "\n  ")],
              "total": \(object(report.total))
            }

            """
    }

    /// The seven counters in `counters` order.
    private static func counts(_ row: UsageReportRow) -> [String] {
        [
            row.requests, row.errors, row.inputTokens, row.cacheReadTokens, row.cacheWriteTokens, row.outputTokens,
            row.reasoningTokens,
        ]
        .map(String.init)
    }

    /// CSV and JSON name token columns as the ledger does (`input_tokens`).
    private static func tokenName(_ counter: String) -> String {
        counter == "requests" || counter == "errors" ? counter : counter + "_tokens"
    }

    private static func money(_ usd: Double) -> String { String(format: "%.6f", usd) }

    /// A group value as one table cell: control characters (C0, DEL, C1) and Unicode's bidi
    /// controls are shown escaped. Model names come from upstream responses; a newline would
    /// break the table's rows, an ESC sequence would reach the operator's terminal, and a
    /// right-to-left override would visually reorder the rest of the line.
    static func tableCell(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where isControl(scalar): result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
            || (0x2066...0x2069).contains(scalar.value) || scalar.value == 0x200E || scalar.value == 0x200F
    }

    /// Quoted when needed, and defused when a spreadsheet would read it as a formula: model
    /// names come from upstream answers, and a `=HYPERLINK(…)` there must stay text when an
    /// admin opens the report (OWASP's CSV injection advice: a leading `'`).
    private static func csvField(_ text: String) -> String {
        let formula = text.first.map { "=+-@\t\r".contains($0) } ?? false
        let field = formula ? "'" + text : text
        guard formula || field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
            return field
        }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

extension String {
    fileprivate func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
