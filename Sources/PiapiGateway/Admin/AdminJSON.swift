/// A JSON value for the admin API's answers, built in memory and written with the same
/// escaping as the log lines (the gateway does not link Foundation). Object keys keep the
/// order they were given in, so answers read the same way every time.
public enum AdminJSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([AdminJSON])
    case object([(String, AdminJSON)])

    public static func == (a: AdminJSON, b: AdminJSON) -> Bool {
        switch (a, b) {
        case (.null, .null): true
        case (.bool(let x), .bool(let y)): x == y
        case (.int(let x), .int(let y)): x == y
        case (.double(let x), .double(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array(let x), .array(let y)): x == y
        case (.object(let x), .object(let y)): x.map(\.0) == y.map(\.0) && x.map(\.1) == y.map(\.1)
        default: false
        }
    }

    /// `.string(value)`, or `.null` for nil.
    public static func string(_ value: String?) -> AdminJSON { value.map(AdminJSON.string) ?? .null }

    /// `.int(value)`, or `.null` for nil.
    public static func int(_ value: Int?) -> AdminJSON { value.map(AdminJSON.int) ?? .null }

    /// `.double(value)`, or `.null` for nil.
    public static func double(_ value: Double?) -> AdminJSON { value.map(AdminJSON.double) ?? .null }

    /// An RFC 3339 UTC timestamp with milliseconds for `seconds` since 1970.
    public static func timestamp(_ seconds: Double) -> AdminJSON {
        var bytes: [UInt8] = []
        let milliseconds = Int((seconds * 1000).rounded(.down))
        let whole = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        JSONLine.appendTimestamp(seconds: whole, milliseconds: milliseconds - whole * 1000, to: &bytes)
        return .string(String(decoding: bytes.dropFirst().dropLast(), as: UTF8.self))
    }

    /// A UTC day (days since 1970-01-01) as `YYYY-MM-DD`.
    public static func dayText(_ day: Int) -> String {
        let (year, month, dayOfMonth) = JSONLine.civilDate(daysSinceEpoch: day)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var yearText = String(year)
        while yearText.count < 4 { yearText = "0" + yearText }
        return "\(yearText)-\(two(month))-\(two(dayOfMonth))"
    }

    /// The value written as compact JSON.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        append(to: &out)
        return out
    }

    public var text: String { String(decoding: bytes, as: UTF8.self) }

    private func append(to out: inout [UInt8]) {
        switch self {
        case .null: JSONLine.appendNull(to: &out)
        case .bool(let value): JSONLine.appendBool(value, to: &out)
        case .int(let value): JSONLine.appendInteger(value, to: &out)
        case .double(let value): JSONLine.appendDouble(value, to: &out)
        case .string(let value): JSONLine.appendQuoted(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (index, value) in values.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                value.append(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let fields):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in fields.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                JSONLine.appendQuoted(key, to: &out)
                out.append(UInt8(ascii: ":"))
                value.append(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }
}
