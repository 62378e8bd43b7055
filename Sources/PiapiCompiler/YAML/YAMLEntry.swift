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
