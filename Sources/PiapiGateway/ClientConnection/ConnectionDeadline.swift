import NIOCore

/// The single timer of a client connection: whichever of the header, keep-alive, upstream
/// and idle timeouts applies now. It is rescheduled only when it fires early or a sooner
/// deadline appears, so busy connections do not churn timers.
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

    private(set) var phase = Phase.none
    private var deadline = NIODeadline.distantFuture
    private var lastActivity = NIODeadline.now()
    private var idleTimeout = TimeAmount.seconds(300)
    private var timer: Scheduled<Void>?
    private var timerAt = NIODeadline.distantFuture

    /// Enters a phase; returns the time the timer must be moved to, if earlier than scheduled.
    mutating func enter(_ phase: Phase, until deadline: NIODeadline) -> NIODeadline? {
        self.phase = phase
        self.deadline = deadline
        return deadline < timerAt ? deadline : nil
    }

    mutating func enterStreaming(idleTimeout: TimeAmount) -> NIODeadline? {
        self.idleTimeout = idleTimeout
        lastActivity = .now()
        return enter(.streaming, until: lastActivity + idleTimeout)
    }

    mutating func touch() {
        if phase == .streaming { lastActivity = .now() }
    }

    /// The deadline now in force.
    var effectiveDeadline: NIODeadline {
        phase == .streaming ? lastActivity + idleTimeout : (phase == .none ? .distantFuture : deadline)
    }

    mutating func scheduled(_ timer: Scheduled<Void>?, at time: NIODeadline) {
        self.timer?.cancel()
        self.timer = timer
        timerAt = time
    }

    mutating func fired() {
        timer = nil
        timerAt = .distantFuture
    }

    mutating func cancel() {
        timer?.cancel()
        timer = nil
        timerAt = .distantFuture
        phase = .none
    }
}
