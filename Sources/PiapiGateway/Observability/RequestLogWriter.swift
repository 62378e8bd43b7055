import Logging

/// Writes the one JSON line per request. It runs for every request, so it builds the line
/// field by field in a fixed order instead of going through a `Logger.Metadata` dictionary;
/// the format (and the sink) are the same as `JSONLogHandler`'s.
public struct RequestLogWriter: Sendable {
    /// Request lines are `info`; below that `--log-level` they are not written.
    public static let level = Logger.Level.info
    /// How much of the table hash each line carries: enough to tell tables apart.
    public static let tableHashLength = 12

    let sink: any LogLineSink
    public let isEnabled: Bool

    public init(sink: any LogLineSink = FileDescriptorLogSink.standardOutput, logLevel: Logger.Level) {
        self.sink = sink
        self.isEnabled = logLevel <= Self.level
    }

    public func write(_ record: RequestRecord, tableHash: String) {
        guard isEnabled else { return }
        sink.write(line: Self.line(for: record, tableHash: tableHash))
    }

    /// The line for `record`; every value is a name, a number or the request's own path.
    public static func line(for record: RequestRecord, tableHash: String) -> [UInt8] {
        var line = JSONLine()
        line.timestampField("timestamp")
        line.field("level", level.rawValue)
        line.field("message", "request")
        line.field("request_id", record.requestID)
        line.field("method", record.method)
        line.field("path", pathWithoutQuery(record.path))
        optionalField("user", record.user, in: &line)
        optionalField("service_type", record.serviceType, in: &line)
        optionalField("upstream_provider", record.upstreamProvider, in: &line)
        optionalField("upstream_key", record.upstreamKey, in: &line)
        line.field("status", record.status)
        line.field("latency_ms", (record.latencySeconds * 1_000_000).rounded() / 1000)
        line.field("bytes_in", record.bytesIn)
        line.field("bytes_out", record.bytesOut)
        line.field("table", Substring(tableHash.utf8.prefix(tableHashLength)))
        line.field("attempts") { appendAttempts(record.attempts, to: &$0) }
        if let ttfb = record.ttfbSeconds { line.field("ttfb_ms", (ttfb * 1_000_000).rounded() / 1000) }
        if let usage = record.usage { usageFields(usage, cost: record.costUSD, in: &line) }
        if let error = record.error { line.field("error", error) }
        return line.finished()
    }

    /// `model` and the token kinds that are known; `usage_partial` when the response was cut
    /// short, `usage_unknown` (the reason) when no usage could be read.
    static func usageFields(_ usage: UsageReport, cost: Double?, in line: inout JSONLine) {
        if let model = usage.model { line.field("model", model) }
        let kinds: [(String, Int?)] = [
            ("input_tokens", usage.input), ("output_tokens", usage.output),
            ("cache_read_tokens", usage.cacheRead), ("cache_write_tokens", usage.cacheWrite),
            ("reasoning_tokens", usage.reasoning),
        ]
        for case let (name, count?) in kinds { line.field(name, count) }
        if let cost { line.field("cost_usd", (cost * 1e6).rounded() / 1e6) }
        if usage.partial { line.field("usage_partial") { $0.append(contentsOf: "true".utf8) } }
        if let reason = usage.unknownReason { line.field("usage_unknown", reason.rawValue) }
    }

    /// The `attempts` array as JSON text (for the ledger's column).
    static func attemptsJSON(_ attempts: [UpstreamAttempt]) -> [UInt8] {
        var out: [UInt8] = []
        appendAttempts(attempts, to: &out)
        return out
    }

    /// `[{"provider":…,"key":…,"outcome":…},…]`: names and outcomes only.
    private static func appendAttempts(_ attempts: [UpstreamAttempt], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, attempt) in attempts.enumerated() {
            out.append(contentsOf: (index == 0 ? "{\"provider\":" : ",{\"provider\":").utf8)
            JSONLine.appendQuoted(attempt.provider, to: &out)
            out.append(contentsOf: ",\"key\":".utf8)
            JSONLine.appendQuoted(attempt.key, to: &out)
            out.append(contentsOf: ",\"outcome\":".utf8)
            JSONLine.appendQuoted(attempt.outcome.rawValue, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "]"))
    }

    private static func optionalField(_ key: String, _ value: String?, in line: inout JSONLine) {
        if let value {
            line.field(key, value)
        } else {
            line.field(key) { JSONLine.appendNull(to: &$0) }
        }
    }

    private static func pathWithoutQuery(_ path: String) -> String {
        guard let question = path.utf8.firstIndex(of: UInt8(ascii: "?")) else { return path }
        return String(path[..<question])
    }
}
