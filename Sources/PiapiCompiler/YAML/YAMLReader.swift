import CLibYAML

/// Turns config bytes into a `YAMLNode` tree with positions, using libyaml's event API.
/// It is the first line of defence against hostile files: size, encoding, depth, aliases,
/// tags and extra documents are refused with one diagnostic instead of being expanded.
public struct YAMLReader: Sendable {
    /// Larger files are refused before parsing; a 10,000-user config is about 2 MB.
    public var maxBytes = 4 << 20
    /// Deeper nesting is refused; a valid config needs six levels.
    public var maxDepth = 64

    public init() {}

    /// The tree, or nil after a fatal problem; duplicate keys are reported without stopping.
    public struct Result: Sendable {
        public var root: YAMLNode?
        public var diagnostics: [Diagnostic]
    }

    public func read(_ bytes: [UInt8]) -> Result {
        let start = SourceLocation(line: 1, column: 1)
        guard bytes.count <= maxBytes else {
            return .fatal(start, "the config is larger than the limit of \(maxBytes) bytes (\(maxBytes >> 20) MiB)")
        }
        if let bad = Self.firstInvalidUTF8Offset(bytes) {
            return .fatal(Self.location(ofOffset: bad, in: bytes), "the config is not valid UTF-8")
        }
        return bytes.withUnsafeBufferPointer { buffer in
            var parser = yaml_parser_t()
            guard yaml_parser_initialize(&parser) == 1 else { return .fatal(start, "libyaml could not start") }
            defer { yaml_parser_delete(&parser) }
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var builder = YAMLTreeBuilder(maxDepth: maxDepth)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    return .fatal(Self.errorLocation(parser, bytes), Self.errorMessage(parser))
                }
                let step = builder.consume(event)
                yaml_event_delete(&event)
                switch step {
                case .more: continue
                case .done(let root): return Result(root: root, diagnostics: builder.diagnostics)
                case .failed(let diagnostic): return Result(root: nil, diagnostics: [diagnostic])
                }
            }
        }
    }

    private static func errorMessage(_ parser: yaml_parser_t) -> String {
        // libyaml's problem and context texts are fixed strings, never input text.
        let problem = parser.problem.map { String(cString: $0) } ?? "unknown problem"
        guard let context = parser.context.map({ String(cString: $0) }) else { return "YAML syntax error: \(problem)" }
        let mark = parser.context_mark
        return "YAML syntax error: \(problem) (\(context) at \(mark.line + 1):\(mark.column + 1))"
    }

    private static func errorLocation(_ parser: yaml_parser_t, _ bytes: [UInt8]) -> SourceLocation {
        if parser.error == YAML_READER_ERROR {
            return location(ofOffset: min(Int(parser.problem_offset), bytes.count), in: bytes)
        }
        return SourceLocation(line: Int(parser.problem_mark.line) + 1, column: Int(parser.problem_mark.column) + 1)
    }

    /// Line and column (in Unicode scalars) of a byte offset.
    static func location(ofOffset offset: Int, in bytes: [UInt8]) -> SourceLocation {
        var line = 1
        var column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SourceLocation(line: line, column: column)
    }

    static func firstInvalidUTF8Offset(_ bytes: [UInt8]) -> Int? {
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }
}

extension YAMLReader.Result {
    static func fatal(_ location: SourceLocation, _ message: String) -> Self {
        Self(root: nil, diagnostics: [Diagnostic(.error, at: location, message)])
    }
}
