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

    /// What a plain scalar says as a number (`3`, `0.3`, `+1.5e-2`: YAML 1.2 core-schema float
    /// syntax, without `.inf` and `.nan`). Quoted scalars and other nodes are not numbers.
    enum Number {
        case value(Double)
        /// Number syntax whose magnitude does not fit a `Double` (`1e999`).
        case outOfRange
        case notANumber
    }

    static func number(_ node: YAMLNode) -> Number {
        guard case .scalar(let scalar) = node.content, scalar.isPlain, isDecimalNumber(scalar.text),
            let value = Double(scalar.text)
        else { return .notANumber }
        return value.isFinite ? .value(value) : .outOfRange
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
    static func isDecimalNumber(_ text: String) -> Bool {
        var bytes = Array(text.utf8)[...]
        func digits() -> Int {
            let n = bytes.prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }.count
            bytes = bytes.dropFirst(n)
            return n
        }
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        var mantissa = digits()
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            mantissa += digits()
        }
        guard mantissa > 0 else { return false }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
                bytes = bytes.dropFirst()
            }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
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
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
