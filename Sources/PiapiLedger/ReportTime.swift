import Foundation

/// The times `piapi-usage report` accepts for `--since` and `--until`, all in UTC.
public enum ReportTime {
    /// `7d` / `12h` (that long before `now`), `2026-11-01` (that day's midnight UTC; as an
    /// end, the following midnight, so `--until 2026-11-30` includes the 30th), or
    /// `2026-11-01T12:00:00Z` (that instant). nil for anything else.
    public static func parse(_ text: String, now: Date, asEnd: Bool = false) -> Date? {
        if let unit = text.last, unit == "d" || unit == "h", let count = Int(text.dropLast()), count >= 0,
            text.dropLast().allSatisfy(\.isASCII)
        {
            return now.addingTimeInterval(-Double(count) * (unit == "d" ? 86_400 : 3_600))
        }
        if let midnight = LedgerTime.day(text) {
            return asEnd ? midnight.addingTimeInterval(86_400) : midnight
        }
        let formatter = ISO8601DateFormatter()
        if let instant = formatter.date(from: text) { return instant }
        formatter.formatOptions.insert(.withFractionalSeconds)
        return formatter.date(from: text)
    }
}
