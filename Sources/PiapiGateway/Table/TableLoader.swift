import Glibc
import RouteTable

/// Turns a table file into a `ServingTable` (read, sniff, decode, resolve `${VAR}`s), the one
/// path used both at start-up and on every reload so the two can never disagree.
public struct TableLoader: Sendable {
    public let path: String
    public let environment: [String: String]
    /// The variables the table may read (`--env-allow`).
    public let allowed: EnvironmentAllowList

    public init(path: String, environment: [String: String], allowed: EnvironmentAllowList = .everything) {
        self.path = path
        self.environment = environment
        self.allowed = allowed
    }

    /// Reads the file now, on the calling thread; callers keep it off event loops.
    public func load() throws(TableLoadError) -> ServingTable {
        let table: RouteTable
        do {
            table = try TableFile.load(path: path)
        } catch {
            if access(path, F_OK) != 0, errno == ENOENT { throw .missing(path: path) }
            throw .unreadable(path: path, reason: error)
        }
        do {
            return try ServingTable(table: table, environment: environment, allowed: allowed)
        } catch {
            throw .unresolvedVariable(path: path, name: error.name, problem: error.problem)
        }
    }
}

extension TableLoader {
    /// The process environment as a dictionary, read once.
    public static func processEnvironment() -> [String: String] {
        var result: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }
}
