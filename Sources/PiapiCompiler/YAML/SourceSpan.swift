/// The stretch of the file a node covers (end exclusive); used to mask secret scalars
/// in the source excerpts that human diagnostics print.
public struct SourceSpan: Hashable, Sendable {
    public var start: SourceLocation
    public var end: SourceLocation

    public init(start: SourceLocation, end: SourceLocation) {
        self.start = start
        self.end = end
    }
}
