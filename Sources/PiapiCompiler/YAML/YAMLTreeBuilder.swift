import CLibYAML

/// Assembles libyaml events into nodes without recursion, refusing aliases, tags, deep
/// nesting and second documents, and noting duplicate mapping keys.
struct YAMLTreeBuilder {
    enum Step {
        case more
        case done(YAMLNode)
        case failed(Diagnostic)
    }

    /// A collection still being read; a class so appending never copies its arrays.
    private final class Open {
        let isMapping: Bool
        let start: SourceLocation
        var items: [YAMLNode] = []
        var entries: [YAMLEntry] = []
        var pendingKey: YAMLNode?
        var seen: [String: SourceLocation] = [:]

        init(isMapping: Bool, start: SourceLocation) {
            self.isMapping = isMapping
            self.start = start
        }
    }

    let maxDepth: Int
    private var stack: [Open] = []
    private var root: YAMLNode?
    private(set) var diagnostics: [Diagnostic] = []

    init(maxDepth: Int) {
        self.maxDepth = maxDepth
    }

    mutating func consume(_ event: yaml_event_t) -> Step {
        let start = SourceLocation(line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        let end = SourceLocation(line: Int(event.end_mark.line) + 1, column: Int(event.end_mark.column) + 1)
        switch event.type {
        case YAML_STREAM_START_EVENT, YAML_DOCUMENT_END_EVENT, YAML_NO_EVENT:
            return .more
        case YAML_DOCUMENT_START_EVENT:
            if root != nil {
                return fail(start, "the config holds more than one YAML document; it must be exactly one")
            }
            return .more
        case YAML_STREAM_END_EVENT:
            guard let root else { return fail(SourceLocation(line: 1, column: 1), "the config is empty") }
            return .done(root)
        case YAML_ALIAS_EVENT:
            return fail(start, "YAML aliases (*name) are not supported; write the value out")
        case YAML_SCALAR_EVENT:
            if event.data.scalar.tag != nil { return fail(start, "YAML tags are not supported") }
            let scalar = event.data.scalar
            let text =
                scalar.value.map {
                    String(decoding: UnsafeBufferPointer(start: $0, count: Int(scalar.length)), as: UTF8.self)
                } ?? ""
            let node = YAMLNode(
                content: .scalar(YAMLScalar(text: text, isPlain: scalar.style == YAML_PLAIN_SCALAR_STYLE)),
                span: SourceSpan(start: start, end: end))
            return add(node)
        case YAML_SEQUENCE_START_EVENT:
            if event.data.sequence_start.tag != nil { return fail(start, "YAML tags are not supported") }
            return open(Open(isMapping: false, start: start), at: start)
        case YAML_MAPPING_START_EVENT:
            if event.data.mapping_start.tag != nil { return fail(start, "YAML tags are not supported") }
            return open(Open(isMapping: true, start: start), at: start)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let top = stack.popLast() else { return fail(start, "unbalanced YAML events") }
            let content: YAMLNode.Content = top.isMapping ? .mapping(top.entries) : .sequence(top.items)
            return add(YAMLNode(content: content, span: SourceSpan(start: top.start, end: end)))
        default:
            return .more
        }
    }

    private mutating func open(_ collection: Open, at start: SourceLocation) -> Step {
        guard stack.count < maxDepth else { return fail(start, "the config nests deeper than \(maxDepth) levels") }
        stack.append(collection)
        return .more
    }

    private mutating func add(_ node: YAMLNode) -> Step {
        guard let top = stack.last else {
            root = node
            return .more
        }
        guard top.isMapping else {
            top.items.append(node)
            return .more
        }
        guard let key = top.pendingKey else {
            top.pendingKey = node
            return .more
        }
        top.pendingKey = nil
        guard case .scalar(let scalar) = key.content else {
            diagnostics.append(
                Diagnostic(.error, at: key.location, "mapping keys must be plain strings, found \(key.kindDescription)")
            )
            return .more
        }
        let first = top.seen[scalar.text]
        if let first {
            diagnostics.append(
                Diagnostic(
                    .error, at: key.location,
                    "duplicate key '\(scalar.text)' in this mapping (first at line \(first.line))"))
        } else {
            top.seen[scalar.text] = key.location
        }
        top.entries.append(YAMLEntry(key: scalar.text, keySpan: key.span, value: node, isDuplicate: first != nil))
        return .more
    }

    private func fail(_ location: SourceLocation, _ message: String) -> Step {
        .failed(Diagnostic(.error, at: location, message))
    }
}
