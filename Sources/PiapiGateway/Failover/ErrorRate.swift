import NIOCore

/// The recent failure rate of one (provider, key) pair — the same identity cooldowns are kept
/// by — as `adaptive_rr` weighs candidates by it: an exponentially weighted moving average
/// *over time* of the failure signal x (1 for a failed try, 0 for any other outcome; the
/// failures are those of contract §5), with a half-life of h = `--adaptive-half-life` seconds.
///
/// Exactly, with r the value stored at t₀, the time of the pair's last outcome:
///
/// - **Read** at time t: `r · 2^(−(t − t₀)/h)`. With no news a rate decays toward 0 — halving
///   every h seconds — so a pair that nobody tries (one in cooldown included) recovers by time
///   alone; an `adaptive_rr` that had to send traffic to a pair to see it recover would keep
///   a shrunk pair shrunk longest exactly when it gets least traffic.
/// - **Update** on an outcome x at t, Δt = t − t₀ after the previous one:
///   `r ← r · 2^(−Δt/h) + (1 − 2^(−min(Δt, h)/h)) · x`. A success keeps the decayed value
///   (the read was right: the time since the previous outcome was healthy); a failure says
///   that time was failing too and adds its weight, `1 − 2^(−Δt/h)`, as a continuous-time
///   EWMA does. r stays in [0, 1].
///
/// Why time-based and not a per-event alpha (`r ← (1 − α)·r + α·x`):
/// - the memory is in seconds, so the half-life means the same for a pair tried once a minute
///   and one tried 1,000 times a second; a per-event alpha forgets in tries, so a busy pair
///   would forget within milliseconds and an idle one never — and it cannot decay without
///   tries at all;
/// - it needs no tuning to traffic: when each try fails with probability p whatever the
///   spacing of the tries (at most h apart), the expected rate after a try is exactly p
///   (taking expectations of the update,
///   E[r] = E[d]·E[r] + (1 − E[d])·p with d = 2^(−Δt/h)), so the rate the admin side shows is a
///   failure fraction and the effective weight `weight × max(floor, 1 − r)` follows it.
///
/// What it costs: the rate grows with time spent failing, not with the number of failures — a
/// pair failing every try reaches 0.5 after one half-life of failing, however busy. That is the
/// slow, proportional part; the cooldowns bench a failing pair at once.
///
/// The cap (one half-life) bounds what a single outcome can do after a long silence: without
/// it the first failure after an hour without tries would count the whole hour as failing and
/// send the rate to 1; with it a lone failure adds at most 0.5. Only when tries are further
/// apart than h does the cap matter (the expected rate is then below p).
///
/// A pair with no outcome yet reads 0 and counts as healthy since the router took into use the
/// table that brought it, or changed its URL, auth or key (before any table was in use: since
/// the router was made).
struct ErrorRate: Sendable {
    private(set) var rate = 0.0
    /// When the last outcome was recorded (for a pair without one: since when it counts as healthy).
    private(set) var updated: NIODeadline
    /// The last outcome, nil before the first.
    private(set) var lastOutcome: AttemptOutcome?
    /// Outcomes recorded since the pair was (re)counted as healthy, for display.
    private(set) var tries = 0

    init(since start: NIODeadline) {
        updated = start
    }

    /// The rate at `now`: the stored one decayed over the time since the last outcome.
    func value(at now: NIODeadline, _ weighting: AdaptiveWeighting) -> Double {
        rate * weighting.decay(over: Self.seconds(from: updated, to: now))
    }

    /// Seconds from the last outcome to `now`; nil before the first.
    func secondsSinceLastOutcome(at now: NIODeadline) -> Double? {
        lastOutcome == nil ? nil : Self.seconds(from: updated, to: now)
    }

    /// Applies one more outcome at `now` (a time before the last outcome counts as no time).
    mutating func record(_ outcome: AttemptOutcome, at now: NIODeadline, _ weighting: AdaptiveWeighting) {
        let elapsed = Self.seconds(from: updated, to: now)
        rate *= weighting.decay(over: elapsed)
        if outcome.isFailure {
            rate += 1 - weighting.decay(over: min(elapsed, weighting.halfLife))
        }
        rate = min(max(rate, 0), 1)
        if now > updated { updated = now }
        lastOutcome = outcome
        tries += 1
    }

    private static func seconds(from start: NIODeadline, to end: NIODeadline) -> Double {
        end > start ? Double((end - start).nanoseconds) / 1e9 : 0
    }
}
