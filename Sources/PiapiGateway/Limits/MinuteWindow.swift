/// The admissions of the last 60 seconds, exactly: a ring of at most `limit` admission
/// times in the order they happened. A sliding window (not a fixed minute) so a burst at :59
/// and another at :00 cannot add up to twice the limit; exact (not the two-bucket estimate)
/// so "the 61st request in a minute is refused" holds to the request. Memory is 8 bytes per
/// allowed request per minute; every operation is O(1) or O(log limit).
struct MinuteWindow: Sendable {
    static let length = 60.0

    private var times: [Double] = []
    /// Index of the oldest admission in `times` (the ring's start).
    private var start = 0

    /// The `i`-th admission, oldest first.
    private func time(_ i: Int) -> Double {
        times[(start + i) % times.count]
    }

    /// Admissions within the window ending at `now`.
    func count(at now: Double) -> Int {
        // Times are in order: binary search for the first one still inside the window.
        var low = 0
        var high = times.count
        while low < high {
            let mid = (low + high) / 2
            if time(mid) > now - Self.length { high = mid } else { low = mid + 1 }
        }
        return times.count - low
    }

    /// Nil when one more request fits under `limit` at `now`, else the seconds until it will.
    mutating func wait(limit: Int, at now: Double) -> Double? {
        fit(limit)
        guard times.count == limit else { return nil }
        let freesAt = time(0) + Self.length
        return freesAt > now ? freesAt - now : nil
    }

    /// Records an admission at `now` (after `wait` said it fits).
    mutating func admit(limit: Int, at now: Double) {
        fit(limit)
        if times.count < limit {
            times.append(now)
        } else {
            times[start] = now
            start = (start + 1) % times.count
        }
    }

    /// Seconds until the oldest admission in the window leaves it (for `RateLimit-Reset`).
    func reset(at now: Double) -> Double {
        let inside = count(at: now)
        guard inside > 0 else { return 0 }
        return time(times.count - inside) + Self.length - now
    }

    /// Keeps the newest `limit` admissions in order when the limit changed (a reload).
    private mutating func fit(_ limit: Int) {
        guard times.count > limit || (start != 0 && times.count < limit) else { return }
        let ordered = (0..<times.count).map(time)
        times = Array(ordered.suffix(limit))
        start = 0
    }
}
