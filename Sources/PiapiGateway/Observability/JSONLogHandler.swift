import Logging

/// The gateway's swift-log backend: one JSON object per line with `timestamp`, `level` and
/// `message` first and the metadata flattened beside them, so log pipelines need no parsing rules.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let sink: any LogLineSink

    /// Field names the handler writes itself; metadata with these keys is left out.
    static let reservedKeys: Set<String> = ["timestamp", "level", "message"]

    public init(
        sink: any LogLineSink = FileDescriptorLogSink.standardOutput, logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.sink = sink
        self.logLevel = logLevel
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get(), !provided.isEmpty {
            merged.merge(provided) { _, new in new }
        }
        if let extra = event.metadata, !extra.isEmpty {
            merged.merge(extra) { _, new in new }
        }
        if let error = event.error, merged["error"] == nil {
            merged["error"] = .string(String(describing: error))
        }
        var line = JSONLine()
        line.timestampField("timestamp")
        line.field("level", event.level.rawValue)
        line.field("message", event.message.description)
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) where !Self.reservedKeys.contains(key) {
            line.field(key) { Self.append(value, to: &$0) }
        }
        sink.write(line: line.finished())
    }

    /// Writes a metadata value as JSON: integers, finite doubles and booleans given as
    /// `.stringConvertible` stay numbers and booleans; anything else becomes a string.
    static func append(_ value: Logger.Metadata.Value, to out: inout [UInt8]) {
        switch value {
        case .string(let text):
            JSONLine.appendQuoted(text, to: &out)
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: JSONLine.appendInteger(number, to: &out)
            case let number as Int64: JSONLine.appendInteger(Int(number), to: &out)
            case let number as Int32: JSONLine.appendInteger(Int(number), to: &out)
            case let number as UInt16: JSONLine.appendInteger(Int(number), to: &out)
            case let number as UInt32: JSONLine.appendInteger(Int(number), to: &out)
            case let number as Double: JSONLine.appendDouble(number, to: &out)
            case let flag as Bool: JSONLine.appendBool(flag, to: &out)
            default: JSONLine.appendQuoted(convertible.description, to: &out)
            }
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (i, element) in values.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .dictionary(let values):
            out.append(UInt8(ascii: "{"))
            for (i, (key, element)) in values.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                JSONLine.appendQuoted(key, to: &out)
                out.append(UInt8(ascii: ":"))
                append(element, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
