/// One node of the YAML document with the place it starts, so the decoder can point every
/// diagnostic at the exact node it is about.
public struct YAMLNode: Sendable {
    public enum Content: Sendable {
        case scalar(YAMLScalar)
        case mapping([YAMLEntry])
        case sequence([YAMLNode])
    }

    public var content: Content
    public var span: SourceSpan

    public init(content: Content, span: SourceSpan) {
        self.content = content
        self.span = span
    }

    public var location: SourceLocation { span.start }

    /// "a mapping", "a sequence", "a string": for "expected X, found Y" messages.
    public var kindDescription: String {
        switch content {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a sequence"
        }
    }
}

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

/// A mapping entry. Entries whose key repeats an earlier one stay in the tree (marked
/// `isDuplicate`) so their secret values can still be masked, but decoding skips them.
public struct YAMLEntry: Sendable {
    public var key: String
    public var keySpan: SourceSpan
    public var value: YAMLNode
    public var isDuplicate: Bool

    public init(key: String, keySpan: SourceSpan, value: YAMLNode, isDuplicate: Bool = false) {
        self.key = key
        self.keySpan = keySpan
        self.value = value
        self.isDuplicate = isDuplicate
    }

    public var keyLocation: SourceLocation { keySpan.start }
}
