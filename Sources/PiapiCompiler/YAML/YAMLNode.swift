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
