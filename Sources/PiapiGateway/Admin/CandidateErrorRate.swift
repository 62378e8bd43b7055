/// A (provider, key) pair's recent record as the admin side shows it: the share of failures
/// among its last `window` tries, and how its last try ended and when. A plain sliding window
/// for now; an exponentially weighted rate (the `adaptive_rr` strategy's) can replace the
/// inside of this one type without changing what the API shows.
public struct CandidateErrorRate: Sendable, Equatable {
    /// Tries remembered per pair.
    public static let window = 20

    /// The last `window` outcomes as failure flags, oldest overwritten first.
    private var failures: [Bool] = []
    private var next = 0
    /// Every try seen since start.
    public private(set) var attempts = 0
    public private(set) var lastOutcome: AttemptOutcome?
    /// Seconds since 1970 of the last try.
    public private(set) var lastAt: Double?

    public init() {}

    public mutating func record(_ outcome: AttemptOutcome, at wallSeconds: Double) {
        if failures.count < Self.window {
            failures.append(outcome.isFailure)
        } else {
            failures[next] = outcome.isFailure
        }
        next = (next + 1) % Self.window
        attempts += 1
        lastOutcome = outcome
        lastAt = wallSeconds
    }

    /// Failures among the remembered tries, 0...1; 0 before any try.
    public var rate: Double {
        failures.isEmpty ? 0 : Double(failures.lazy.filter { $0 }.count) / Double(failures.count)
    }
}
