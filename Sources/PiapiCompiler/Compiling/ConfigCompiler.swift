import RouteTable

/// The "compile a file" pipeline shared by compile, check, inspect and diff:
/// bytes → YAML tree → validated config → `RouteTable`, with all diagnostics.
public enum ConfigCompiler {
    public static func compile(path: String, reader: YAMLReader = YAMLReader()) throws(TableError) -> CompileOutcome {
        compile(try ConfigFile.read(path: path, limit: reader.maxBytes), fileName: path, reader: reader)
    }

    public static func compile(_ bytes: [UInt8], fileName: String, reader: YAMLReader = YAMLReader()) -> CompileOutcome
    {
        // A UTF-8 byte order mark is not part of the text (and not counted in columns).
        let bytes = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        let parsed = reader.read(bytes)
        guard let root = parsed.root else {
            // No excerpt for a file libyaml could not read: without a tree, secrets cannot be found.
            return CompileOutcome(
                source: ConfigSource(fileName: fileName, text: nil, secretSpans: []),
                diagnostics: parsed.diagnostics, table: nil)
        }
        var log = DiagnosticLog()
        log.append(parsed.diagnostics)
        let config = ConfigValidator.validate(root, log: &log)
        var table: RouteTable?
        if !log.hasErrors {
            do {
                table = try TableBuilder.build(config)
            } catch {
                log.error(SourceLocation(line: 1, column: 1), "the config could not be compiled: \(error)")
            }
        }
        let source = ConfigSource(
            fileName: fileName, text: String(decoding: bytes, as: UTF8.self), secretSpans: log.secretSpans)
        return CompileOutcome(source: source, diagnostics: log.sorted, table: table)
    }
}
