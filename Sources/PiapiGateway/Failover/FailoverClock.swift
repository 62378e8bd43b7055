import Glibc
import NIOCore

/// The two clocks cooldowns need: a monotonic one for when a cooldown ends, and the wall
/// clock to turn a `Retry-After` HTTP date into seconds. Tests pass one they can move.
public struct FailoverClock: Sendable {
    public var now: @Sendable () -> NIODeadline
    /// Seconds since 1970-01-01 UTC.
    public var wallSeconds: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> NIODeadline, wallSeconds: @escaping @Sendable () -> Double) {
        self.now = now
        self.wallSeconds = wallSeconds
    }

    public static let system = FailoverClock(
        now: { .now() },
        wallSeconds: {
            var time = timespec()
            clock_gettime(CLOCK_REALTIME, &time)
            return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
        })
}
