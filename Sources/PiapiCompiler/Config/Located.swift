/// A decoded value with the place it was written, so later checks (references,
/// uniqueness, warnings) can point at it.
struct Located<Value: Sendable>: Sendable {
    var value: Value
    var location: SourceLocation

    init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}
