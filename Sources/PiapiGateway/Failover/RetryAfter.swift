/// Reads a `Retry-After` value (RFC 9110 §10.2.3): delay seconds, or an HTTP date in any of
/// the three forms a recipient must accept (IMF-fixdate, RFC 850, asctime).
enum RetryAfter {
    /// The cooldown a response asks for: the contract (§5) takes `Retry-After` from a `429`
    /// only; other failures cool down for the fixed times of `CooldownPolicy`.
    static func of(_ head: ResponseHead, now: Double) -> Double? {
        guard head.status == 429, let value = head.value(of: HeaderName.retryAfter) else { return nil }
        return seconds(value, now: now)
    }

    /// Seconds from `now` (wall clock, seconds since 1970) until the value's moment; nil when
    /// the value is neither form. A date in the past gives 0.
    static func seconds(_ value: Substring, now: Double) -> Double? {
        let trimmed = value.drop(while: { $0 == " " })
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return trimmed.utf8.count > 9 ? CooldownPolicy.retryAfterMaxSeconds : Double(trimmed)
        }
        guard let date = httpDate(trimmed) else { return nil }
        return max(date - now, 0)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Seconds since 1970 of an HTTP date, or nil.
    static func httpDate(_ text: Substring) -> Double? {
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" || $0 == ":" })
        guard tokens.count >= 7 else { return nil }
        let dayToken: Substring
        let monthToken: Substring
        let year: Substring
        let clock: ArraySlice<Substring>
        if month(tokens[1]) != nil {
            // asctime: "Sun Nov  6 08:49:37 1994"
            (monthToken, dayToken, clock, year) = (tokens[1], tokens[2], tokens[3...5], tokens[6])
        } else {
            // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" and RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT"
            (dayToken, monthToken, year, clock) = (tokens[1], tokens[2], tokens[3], tokens[4...6])
        }
        guard let m = month(monthToken), let d = Int(dayToken), (1...31).contains(d), var y = Int(year),
            let h = Int(clock[clock.startIndex]), let min = Int(clock[clock.startIndex + 1]),
            let s = Int(clock[clock.startIndex + 2]), (0...23).contains(h), (0...59).contains(min),
            (0...60).contains(s)
        else { return nil }
        if year.count == 2 { y += y < 70 ? 2000 : 1900 }
        guard (1970...9999).contains(y) else { return nil }
        let days = daysSinceEpoch(year: y, month: m, day: d)
        return Double(days * 86_400 + h * 3600 + min * 60 + s)
    }

    private static func month(_ token: Substring) -> Int? {
        guard token.count == 3 else { return nil }
        return months.firstIndex(of: token.lowercased()).map { $0 + 1 }
    }

    /// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
