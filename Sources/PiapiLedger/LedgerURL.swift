import Foundation

/// A `--ledger` value: an SQLite file (embedded, one process) or a PostgreSQL database
/// (shared by replicas). Parsing never quotes the input in an error, and the description
/// masks the password, so the value can be logged as the gateway's configuration.
public enum LedgerURL: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    case sqlite(path: String)
    case postgres(PostgresLocation)

    /// Parses `sqlite:PATH`, `sqlite:///ABS/PATH`, or
    /// `postgres://USER[:PASSWORD]@HOST[:PORT][/DB][?sslmode=MODE][&connect_timeout=SECONDS]` (also `postgresql://`).
    /// Special characters in the user, password or database are percent-encoded; the
    /// password is split off at the last `@`, so an unencoded `@` in it still works. Without
    /// a password in the URL, `PGPASSWORD` from `environment` is used, as libpq does.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(LedgerError)
    {
        if text.hasPrefix("sqlite:") {
            self = .sqlite(path: try Self.sqlitePath(text.dropFirst("sqlite:".count)))
        } else if let rest = Self.dropScheme(text, ["postgres://", "postgresql://"]) {
            self = .postgres(try Self.postgres(rest, environment: environment))
        } else {
            throw .badURL("unknown scheme")
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres(let location): location.description
        }
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror { Mirror(self, children: ["url": description]) }

    private static func dropScheme(_ text: String, _ schemes: [String]) -> Substring? {
        for scheme in schemes where text.lowercased().hasPrefix(scheme) {
            return text.dropFirst(scheme.count)
        }
        return nil
    }

    private static func sqlitePath(_ rest: Substring) throws(LedgerError) -> String {
        var path = rest
        if path.hasPrefix("//") {
            // sqlite:///abs/path — an empty authority; sqlite://host/... names a host we cannot reach.
            path = path.dropFirst(2)
            guard path.hasPrefix("/") else {
                throw .badURL("sqlite:// must be followed by an absolute path (sqlite:///path)")
            }
        }
        guard !path.isEmpty else { throw .badURL("sqlite: needs a file path") }
        return String(path)
    }

    private static func postgres(
        _ rest: Substring, environment: [String: String]
    ) throws(LedgerError) -> PostgresLocation {
        guard let at = rest.lastIndex(of: "@") else { throw .badURL("postgres URL needs USER@HOST") }
        let userInfo = rest[..<at]
        let afterUser = rest[rest.index(after: at)...]

        let userText = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let user = URLComponent.decode(userText[0]), !user.isEmpty else {
            throw .badURL("the user is empty or badly percent-encoded")
        }
        var password: String?
        if userText.count == 2 {
            guard let decoded = URLComponent.decode(userText[1]) else {
                throw .badURL("the password is badly percent-encoded")
            }
            password = decoded.isEmpty ? nil : decoded
        }
        if password == nil, let fromEnvironment = environment["PGPASSWORD"], !fromEnvironment.isEmpty {
            password = fromEnvironment
        }

        let queryStart = afterUser.firstIndex(of: "?")
        let beforeQuery = afterUser[..<(queryStart ?? afterUser.endIndex)]
        let pathStart = beforeQuery.firstIndex(of: "/")
        let authority = beforeQuery[..<(pathStart ?? beforeQuery.endIndex)]
        let (host, port) = try hostAndPort(authority)

        var database = user
        if let pathStart {
            guard let decoded = URLComponent.decode(beforeQuery[beforeQuery.index(after: pathStart)...]) else {
                throw .badURL("the database name is badly percent-encoded")
            }
            guard !decoded.contains("/") else { throw .badURL("the path must be a single database name") }
            if !decoded.isEmpty { database = decoded }
        }

        var sslMode = PostgresLocation.SSLMode.prefer
        var connectTimeout = PostgresLocation.defaultConnectTimeoutSeconds
        if let queryStart {
            for parameter in afterUser[afterUser.index(after: queryStart)...].split(separator: "&") {
                let pair = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                switch pair[0] {
                case "sslmode":
                    guard pair.count == 2, let mode = PostgresLocation.SSLMode(rawValue: String(pair[1])) else {
                        let modes = PostgresLocation.SSLMode.allCases.map(\.rawValue).joined(separator: ", ")
                        throw .badURL("sslmode must be one of \(modes)")
                    }
                    sslMode = mode
                case "connect_timeout":
                    guard pair.count == 2, pair[1].allSatisfy(\.isASCII), let seconds = Int(pair[1]),
                        (1...3600).contains(seconds)
                    else { throw .badURL("connect_timeout must be whole seconds from 1 to 3600") }
                    connectTimeout = seconds
                default:
                    throw .badURL("unsupported parameter (only sslmode and connect_timeout are understood)")
                }
            }
        }
        return PostgresLocation(
            host: host, port: port, user: user, password: password, database: database, sslMode: sslMode,
            connectTimeoutSeconds: connectTimeout)
    }

    private static func hostAndPort(_ authority: Substring) throws(LedgerError) -> (String, Int) {
        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .badURL("an IPv6 host needs its closing ]") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .badURL("unexpected text after the IPv6 host") }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw .badURL("the host is empty") }
        guard let portText else { return (String(host), 5432) }
        guard let port = Int(portText), (1...65535).contains(port) else {
            throw .badURL("the port must be a number from 1 to 65535")
        }
        return (String(host), port)
    }
}
