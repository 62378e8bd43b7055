import NIOCore

/// Command-line durations are seconds with an optional fraction (`2.5`); converted here so the
/// executable does no arithmetic and every flag refuses bad values the same way.
public enum Seconds {
    /// The longest duration accepted: about 115 days, far beyond any sensible timeout.
    public static let maximum: Double = 10_000_000

    /// A duration flag's value that is negative, not finite, or above `maximum`.
    public struct InvalidValue: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// `value` seconds as a `TimeAmount`; `flag` names the option in the error.
    public static func timeAmount(_ value: Double, flag: String) throws(InvalidValue) -> TimeAmount {
        guard value.isFinite, value >= 0, value <= maximum else {
            throw InvalidValue(description: "\(flag) must be a number of seconds from 0 to \(Int(maximum))")
        }
        return .nanoseconds(Int64((value * 1_000_000_000).rounded()))
    }
}
