/// A scalar's text and whether it was written plain (unquoted): only plain scalars can be
/// booleans or numbers, so `enabled: "false"` stays a string.
public struct YAMLScalar: Sendable {
    public var text: String
    public var isPlain: Bool

    public init(text: String, isPlain: Bool) {
        self.text = text
        self.isPlain = isPlain
    }

    /// True for the YAML spellings of null: an empty plain scalar, `~` or `null`.
    public var isNull: Bool {
        isPlain && (text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL")
    }
}
