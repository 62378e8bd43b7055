import Foundation
import PiapiLedger
import Testing

@Suite("UTC calendar and report times")
struct LedgerTimeTests {
    @Test func dayAndMonthStartsAreUTC() {
        let instant = Fixtures.time("2026-03-01T00:30:00Z")
        #expect(LedgerTime.startOfDay(instant) == Fixtures.time("2026-03-01T00:00:00Z"))
        #expect(LedgerTime.startOfMonth(instant) == Fixtures.time("2026-03-01T00:00:00Z"))
        let lastMoment = Fixtures.time("2026-02-28T23:59:59.999Z")
        #expect(LedgerTime.startOfDay(lastMoment) == Fixtures.time("2026-02-28T00:00:00Z"))
        #expect(LedgerTime.startOfMonth(lastMoment) == Fixtures.time("2026-02-01T00:00:00Z"))
        #expect(LedgerTime.startOfMonth(Fixtures.time("2028-12-31T23:00:00Z")) == Fixtures.time("2028-12-01T00:00:00Z"))
    }

    @Test func days() {
        #expect(LedgerTime.day("2028-02-29") == Date(timeIntervalSince1970: 1_835_395_200))
        for bad in ["2026-02-30", "2026-13-01", "2026-1-01", "20260101", "2026-01-01x", "२०२६-01-01"] {
            #expect(LedgerTime.day(bad) == nil, "\(bad)")
        }
    }

    @Test func reportTimes() {
        let now = Fixtures.time("2026-11-08T12:00:00Z")
        #expect(ReportTime.parse("7d", now: now) == Fixtures.time("2026-11-01T12:00:00Z"))
        #expect(ReportTime.parse("12h", now: now) == Fixtures.time("2026-11-08T00:00:00Z"))
        #expect(ReportTime.parse("2026-11-01", now: now) == Fixtures.time("2026-11-01T00:00:00Z"))
        #expect(ReportTime.parse("2026-11-01", now: now, asEnd: true) == Fixtures.time("2026-11-02T00:00:00Z"))
        #expect(
            ReportTime.parse("2026-11-01T06:30:00Z", now: now, asEnd: true)
                == Date(timeIntervalSince1970: 1_793_514_600))
        for bad in ["", "d", "-1d", "7w", "yesterday", "2026-11-01 06:30"] {
            #expect(ReportTime.parse(bad, now: now) == nil, "\(bad)")
        }
    }
}
