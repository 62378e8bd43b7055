/// Why a table could not be built, read or written. Messages name offsets and indices,
/// never the credential bytes they found.
public enum TableError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not a route table of a version this build reads.
    case unrecognized(String)
    /// The bytes claim to be a table but are truncated, altered or inconsistent.
    case corrupt(String)
    /// A table built in memory breaks an invariant.
    case invalid(String)
    /// Reading or writing the file failed.
    case io(String)

    public var description: String {
        switch self {
        case .unrecognized(let why): "not a piapi route table: \(why)"
        case .corrupt(let why): "corrupt route table: \(why)"
        case .invalid(let why): "invalid route table: \(why)"
        case .io(let why): why
        }
    }
}
