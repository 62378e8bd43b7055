import Glibc

/// The two knobs of `adaptive_rr` (`--adaptive-half-life`, `--adaptive-floor`) and the
/// effective weight they give a candidate: `weight × max(floor, 1 − errorRate)`.
public struct AdaptiveWeighting: Sendable, Equatable {
    /// Seconds after which an error rate's memory of an outcome has halved (above 0, at most
    /// `Seconds.maximum`).
    public let halfLife: Double
    /// The smallest share of its weight a candidate keeps, however much it fails (in (0, 1]).
    public let floor: Double

    /// Smooth weighted round robin needs integer weights: an effective weight is kept in
    /// thousandths of a configured weight unit, rounded, and at least 1. A candidate that has not
    /// failed lately gets exactly `weight × 1000`, so with no failures `adaptive_rr` makes the
    /// same picks as `weighted_rr` (multiplying every weight by one constant changes no pick).
    /// Weights are at most 1,000,000, so a scaled one stays below 2^30.
    public static let scale: Int64 = 1000

    /// The contract's defaults: a 60 s half-life and a floor of 0.1.
    public static let standard = AdaptiveWeighting(checkedHalfLife: 60, floor: 0.1)

    /// Fails with the flag and the rule for a half-life outside (0, `Seconds.maximum`] seconds
    /// (NaN included), or a floor outside (0, 1].
    public init(halfLife: Double, floor: Double) throws(InvalidAdaptiveWeighting) {
        guard halfLife > 0, halfLife <= Seconds.maximum else {
            throw InvalidAdaptiveWeighting(
                "--adaptive-half-life must be a number of seconds above 0 and at most \(Int(Seconds.maximum))")
        }
        guard floor > 0, floor <= 1 else {
            throw InvalidAdaptiveWeighting("--adaptive-floor must be above 0 and at most 1")
        }
        self.init(checkedHalfLife: halfLife, floor: floor)
    }

    private init(checkedHalfLife halfLife: Double, floor: Double) {
        self.halfLife = halfLife
        self.floor = floor
    }

    /// What share of its weight a candidate keeps at `errorRate`: `max(floor, 1 − errorRate)`.
    public func factor(errorRate: Double) -> Double {
        max(floor, 1 - errorRate)
    }

    /// `weight × max(floor, 1 − errorRate)` in units of 1/`scale`, rounded, at least 1.
    public func scaledWeight(_ weight: UInt32, errorRate: Double) -> Int64 {
        max(1, Int64((Double(weight) * factor(errorRate: errorRate) * Double(Self.scale)).rounded()))
    }

    /// How much of a value is left after `seconds` (`2^(−seconds/halfLife)`; 1 for no time
    /// or time running backwards).
    func decay(over seconds: Double) -> Double {
        seconds > 0 ? exp2(-seconds / halfLife) : 1
    }
}

/// A rejected `--adaptive-half-life` or `--adaptive-floor`; the description names the flag.
public struct InvalidAdaptiveWeighting: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
