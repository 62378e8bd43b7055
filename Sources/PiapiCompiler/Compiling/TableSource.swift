import RouteTable

/// A file given to `inspect` or `diff`: a compiled table (binary or JSON) when
/// `TableFile.decode` accepts it, otherwise a YAML config compiled on the fly.
public enum TableSource {
    public enum Loaded: Sendable {
        case table(RouteTable)
        case config(CompileOutcome)
    }

    public static func load(path: String) throws(TableError) -> Loaded {
        let bytes = try TableFile.read(path: path)
        do {
            return .table(try TableFile.decode(bytes))
        } catch {
            // A file with the binary magic is a damaged table, not a config.
            if bytes.starts(with: BinaryFormat.magic) { throw error }
        }
        return .config(ConfigCompiler.compile(bytes, fileName: path))
    }
}
