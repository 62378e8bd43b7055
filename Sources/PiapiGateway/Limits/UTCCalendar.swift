/// UTC calendar arithmetic on seconds since 1970, without Foundation's `Calendar`: day and
/// month budgets need "which day/month is this" and "when does the next one start" on every
/// request, and both are a few integer operations (the log line's `JSONLine.civilDate` and
/// its inverse, Howard Hinnant's days-from-civil).
enum UTCCalendar {
    static let secondsPerDay = 86_400.0

    /// Days since 1970-01-01 of the UTC day holding `seconds`.
    static func day(_ seconds: Double) -> Int {
        Int((seconds / secondsPerDay).rounded(.down))
    }

    /// A month as `year * 12 + (month - 1)`: consecutive months are consecutive numbers.
    static func month(_ seconds: Double) -> Int {
        let (year, month, _) = JSONLine.civilDate(daysSinceEpoch: day(seconds))
        return year * 12 + (month - 1)
    }

    /// Seconds since 1970 at which the UTC day after the one holding `seconds` starts.
    static func nextDayStart(_ seconds: Double) -> Double {
        Double(day(seconds) + 1) * secondsPerDay
    }

    /// Seconds since 1970 at which the UTC month after the one holding `seconds` starts.
    static func nextMonthStart(_ seconds: Double) -> Double {
        let next = month(seconds) + 1
        return Double(days(fromYear: next / 12, month: next % 12 + 1, day: 1)) * secondsPerDay
    }

    /// Seconds since 1970 at which the UTC month holding `seconds` started.
    static func monthStart(_ seconds: Double) -> Double {
        let (year, month, _) = JSONLine.civilDate(daysSinceEpoch: day(seconds))
        return Double(days(fromYear: year, month: month, day: 1)) * secondsPerDay
    }

    /// Seconds since 1970 at which the UTC day holding `seconds` started.
    static func dayStart(_ seconds: Double) -> Double {
        Double(day(seconds)) * secondsPerDay
    }

    static func days(fromYear year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
