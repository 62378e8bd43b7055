import Foundation

/// UTC calendar arithmetic and the ledger's text form of a time. Budgets (§9) run on UTC
/// calendar days and months, so these never consult the machine's time zone.
public enum LedgerTime {
    /// Midnight UTC at the start of the day that holds `date`.
    public static func startOfDay(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
    }

    /// Midnight UTC on the first of the month that holds `date`.
    public static func startOfMonth(_ date: Date) -> Date {
        var parts = utc(date)
        parts.tm_mday = 1
        parts.tm_hour = 0
        parts.tm_min = 0
        parts.tm_sec = 0
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    /// Midnight UTC of a `YYYY-MM-DD` date; nil for anything else or an impossible date.
    public static func day(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int32(parts[0]), let month = Int32(parts[1]), let day = Int32(parts[2]),
            parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) })
        else { return nil }
        var fields = tm()
        fields.tm_year = year - 1900
        fields.tm_mon = month - 1
        fields.tm_mday = day
        let seconds = timegm(&fields)
        // timegm normalises 2026-02-30 to March 2nd; refuse dates that do not exist.
        guard fields.tm_mon == month - 1, fields.tm_mday == day else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// `2026-11-01T12:34:56.789Z`: fixed width, so text order is time order in SQLite.
    static func text(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (whole, fraction) = seconds.remainder < 0 ? (seconds.quotient - 1, seconds.remainder + 1000) : seconds
        let parts = utc(Date(timeIntervalSince1970: TimeInterval(whole)))
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-"
            + pad(Int(parts.tm_mday), 2)
            + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2)
            + "." + pad(Int(fraction), 3) + "Z"
    }

    /// `2026-11-01T12:34:56Z`, for reports.
    static func display(_ date: Date) -> String {
        String(text(date).prefix(19)) + "Z"
    }

    private static func utc(_ date: Date) -> tm {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return parts
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
