import RouteTable

/// Why a table file could not become a `ServingTable`, told in one line that names the file
/// or the missing variable, never a credential value.
public enum TableLoadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No file at the path (or a dangling symlink).
    case missing(path: String)
    /// The file exists but could not be read, or is not a valid table.
    case unreadable(path: String, reason: TableError)
    /// The table references `${name}`, which the environment does not define, or defines
    /// empty or with a control character.
    case unresolvedVariable(path: String, name: String, problem: UnresolvedVariable.Problem = .unset)

    public var description: String {
        switch self {
        case .missing(let path):
            "route table \(path) not found"
        case .unreadable(let path, let reason):
            "cannot load route table \(path): \(reason)"
        case .unresolvedVariable(let path, let name, .unset):
            "route table \(path) needs environment variable \(name), which is not set"
        case .unresolvedVariable(let path, let name, .empty):
            "route table \(path) needs environment variable \(name), which is empty"
        case .unresolvedVariable(let path, let name, .reserved):
            "route table \(path) refers to environment variable \(name): it is one of piapi-serve's own secrets (PIAPI_ADMIN_TOKEN, PGPASSWORD), never sent upstream"
        case .unresolvedVariable(let path, let name, .notAllowed):
            "route table \(path) refers to environment variable \(name), which --env-allow does not allow"
        case .unresolvedVariable(let path, let name, .controlCharacter):
            "route table \(path) needs environment variable \(name), whose value contains a control character (CR, LF, tab, …)"
        }
    }
}
