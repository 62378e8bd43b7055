#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One JSON object built straight into bytes, because log lines are on the request path and
/// Foundation's serializers and formatters cost more than the request itself.
public struct JSONLine: Sendable {
    public private(set) var bytes: [UInt8]
    private var hasFields = false

    /// Starts an object (`{`); `capacity` is a hint for the expected line length.
    public init(capacity: Int = 384) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// Closes the object and ends the line.
    public consuming func finished() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    public mutating func field(_ key: String, _ value: String) {
        appendKey(key)
        Self.appendQuoted(value, to: &bytes)
    }

    public mutating func field(_ key: String, _ value: Int) {
        appendKey(key)
        Self.appendInteger(value, to: &bytes)
    }

    /// A JSON number; non-finite values (which JSON cannot hold) become `null`.
    public mutating func field(_ key: String, _ value: Double) {
        appendKey(key)
        Self.appendDouble(value, to: &bytes)
    }

    public mutating func field(_ key: String, _ value: Bool) {
        appendKey(key)
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
    }

    /// Writes `"key":` and leaves the value to `writeValue`, for nested values.
    public mutating func field(_ key: String, raw writeValue: (inout [UInt8]) -> Void) {
        appendKey(key)
        writeValue(&bytes)
    }

    /// The current UTC time as RFC 3339 with milliseconds, e.g. `2026-11-28T04:03:17.123Z`.
    public mutating func timestampField(_ key: String) {
        appendKey(key)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        Self.appendTimestamp(seconds: now.tv_sec, milliseconds: Int(now.tv_nsec / 1_000_000), to: &bytes)
    }

    private mutating func appendKey(_ key: String) {
        if hasFields { bytes.append(UInt8(ascii: ",")) }
        hasFields = true
        Self.appendQuoted(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    private static let trueBytes: [UInt8] = Array("true".utf8)
    private static let falseBytes: [UInt8] = Array("false".utf8)
    private static let nullBytes: [UInt8] = Array("null".utf8)
    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Appends `text` as a JSON string: quotes, backslashes and control characters escaped;
    /// everything else (valid UTF-8, as every Swift string is) copied as is.
    public static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for i in utf8.indices {
                let byte = utf8[i]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i]))
                runStart = i + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                case 0x0A: out.append(UInt8(ascii: "n"))
                case 0x0D: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                case 0x08: out.append(UInt8(ascii: "b"))
                case 0x0C: out.append(UInt8(ascii: "f"))
                default:
                    out.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                            hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]])
                }
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    public static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            appendUnsigned(value.magnitude, to: &out)
        } else {
            appendUnsigned(UInt(value), to: &out)
        }
    }

    public static func appendUnsigned(_ value: UInt, to out: inout [UInt8]) {
        guard value >= 10 else {
            out.append(UInt8(ascii: "0") + UInt8(value))
            return
        }
        appendUnsigned(value / 10, to: &out)
        out.append(UInt8(ascii: "0") + UInt8(value % 10))
    }

    public static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(contentsOf: nullBytes)
            return
        }
        if value == value.rounded(), abs(value) < 1e15 {
            appendInteger(Int(value), to: &out)
        } else {
            // Swift prints the shortest round-tripping form, e.g. `12.345` or `1e-05`: valid JSON.
            out.append(contentsOf: value.description.utf8)
        }
    }

    public static func appendNull(to out: inout [UInt8]) {
        out.append(contentsOf: nullBytes)
    }

    static func appendTimestamp(seconds: Int, milliseconds: Int, to out: inout [UInt8]) {
        var time = seconds
        var parts = tm()
        gmtime_r(&time, &parts)
        out.append(UInt8(ascii: "\""))
        appendDigits(Int(parts.tm_year) + 1900, count: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mon) + 1, count: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(Int(parts.tm_mday), count: 2, to: &out)
        out.append(UInt8(ascii: "T"))
        appendDigits(Int(parts.tm_hour), count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_min), count: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(Int(parts.tm_sec), count: 2, to: &out)
        out.append(UInt8(ascii: "."))
        appendDigits(milliseconds, count: 3, to: &out)
        out.append(UInt8(ascii: "Z"))
        out.append(UInt8(ascii: "\""))
    }

    private static func appendDigits(_ value: Int, count: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8((rest / divisor) % 10))
            rest %= divisor
            divisor /= 10
        }
    }
}
