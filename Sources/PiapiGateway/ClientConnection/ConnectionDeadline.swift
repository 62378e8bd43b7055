import NIOCore

/// The single timer of a client connection, as a value: whichever of the header, keep-alive,
/// upstream and idle timeouts applies now. The timer is moved only when it fires early or a
/// sooner deadline appears, so busy connections do not churn timers. Times come in from the
/// caller (no clock is read here), so tests move time by hand; the channel handler owns the
/// scheduled task and applies the changes `takeTimerChange()` hands out.
struct ConnectionDeadline {
    /// Which timeout applies, by what the connection is waiting for.
    enum Phase {
        case none
        /// Waiting for a complete request head.
        case head
        /// Between requests, nothing received yet.
        case keepAlive
        /// Request sent, waiting for the response head.
        case upstreamHead
        /// Bytes flowing; the deadline trails the last activity by the idle timeout.
        case streaming
    }

    /// What the handler must do to its scheduled task.
    enum TimerChange: Equatable {
        case schedule(at: NIODeadline)
        case cancel
    }

    private(set) var phase = Phase.none
    private var deadline = NIODeadline.distantFuture
    private var lastActivity = NIODeadline.uptimeNanoseconds(0)
    private var idleTimeout = TimeAmount.seconds(300)
    /// When the scheduled task fires; `distantFuture` when none is scheduled.
    private(set) var timerAt = NIODeadline.distantFuture
    private var change: TimerChange?

    /// Enters a phase; moves the timer if `deadline` is earlier than the scheduled one.
    mutating func enter(_ phase: Phase, until deadline: NIODeadline) {
        self.phase = phase
        self.deadline = deadline
        if deadline < timerAt { schedule(at: deadline) }
    }

    mutating func enterStreaming(idleTimeout: TimeAmount, now: NIODeadline) {
        self.idleTimeout = idleTimeout
        lastActivity = now
        enter(.streaming, until: now + idleTimeout)
    }

    /// Bytes moved: a streaming deadline trails them.
    mutating func touch(now: NIODeadline) {
        if phase == .streaming { lastActivity = now }
    }

    /// The deadline now in force.
    var effectiveDeadline: NIODeadline {
        phase == .streaming ? lastActivity + idleTimeout : (phase == .none ? .distantFuture : deadline)
    }

    /// The scheduled task ran; true when the deadline in force has passed at `now`. When it
    /// has not (activity moved it), the timer is set again for the new deadline.
    mutating func fired(now: NIODeadline) -> Bool {
        timerAt = .distantFuture
        let due = effectiveDeadline
        guard due <= now else {
            if due != .distantFuture { schedule(at: due) }
            return false
        }
        return phase != .none
    }

    mutating func cancel() {
        if timerAt != .distantFuture || change != nil { change = .cancel }
        timerAt = .distantFuture
        phase = .none
    }

    /// The change to apply to the scheduled task since the last call, if any.
    mutating func takeTimerChange() -> TimerChange? {
        defer { change = nil }
        return change
    }

    private mutating func schedule(at time: NIODeadline) {
        timerAt = time
        change = .schedule(at: time)
    }
}
