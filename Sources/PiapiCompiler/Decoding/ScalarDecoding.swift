/// Reads typed scalars (text, booleans, integers) out of nodes, logging a positioned
/// error for the wrong node kind or an unreadable value instead of failing.
enum ScalarDecoding {
    /// The scalar's text as written, or nil (error logged) for a mapping or sequence.
    static func text(_ node: YAMLNode, _ what: String, log: inout DiagnosticLog) -> String? {
        guard case .scalar(let scalar) = node.content else {
            log.error(node.location, "\(what) must be a string, found \(node.kindDescription)")
            log.markSecret(node)
            return nil
        }
        return scalar.isNull ? "" : scalar.text
    }

    /// The text with surrounding whitespace trimmed, or nil (error logged) when empty.
    static func nonEmptyText(_ node: YAMLNode, _ what: String, log: inout DiagnosticLog) -> String? {
        guard let text = text(node, what, log: &log) else { return nil }
        let trimmed = trimmed(text)
        guard !trimmed.isEmpty else {
            log.error(node.location, "\(what) must not be empty")
            return nil
        }
        return trimmed
    }

    /// `true` or `false` written plain (YAML 1.2 core schema spellings).
    static func bool(_ node: YAMLNode, _ what: String, log: inout DiagnosticLog) -> Bool? {
        if case .scalar(let scalar) = node.content, scalar.isPlain {
            switch scalar.text {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        log.error(node.location, "\(what) must be true or false")
        return nil
    }

    /// A plain decimal integer.
    static func integer(_ node: YAMLNode, _ what: String, log: inout DiagnosticLog) -> Int? {
        if case .scalar(let scalar) = node.content, scalar.isPlain, let value = Int(scalar.text) {
            return value
        }
        log.error(node.location, "\(what) must be an integer")
        return nil
    }

    /// The items of a sequence, or nil (error logged) for any other node.
    static func sequence(_ node: YAMLNode, _ what: String, log: inout DiagnosticLog) -> [YAMLNode]? {
        guard case .sequence(let items) = node.content else {
            log.error(node.location, "\(what) must be a sequence, found \(node.kindDescription)")
            log.markSecret(node)
            return nil
        }
        return items
    }

    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[first...last])
    }
}
