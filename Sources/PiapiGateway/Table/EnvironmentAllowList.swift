import RouteTable

/// Which environment variables a table's `${VAR}` references may read (`--env-allow`).
///
/// Whoever can change the table decides which variables are sent to which upstream; without a
/// list, that is every variable of piapi-serve's environment (but its own two secrets), so a
/// table edit could send, say, a cloud credential to a host of its choosing. With a list, a
/// reference to any other variable is refused at start and on reload, naming the variable.
public struct EnvironmentAllowList: Sendable, Equatable, CustomStringConvertible {
    /// Exact names, and prefixes written `PREFIX*`.
    public private(set) var names: Set<String> = []
    public private(set) var prefixes: [String] = []
    /// No `--env-allow` given: every variable may be read (the behaviour before the flag).
    public let allowsEverything: Bool

    public static let everything = EnvironmentAllowList(allowsEverything: true)

    private init(allowsEverything: Bool) {
        self.allowsEverything = allowsEverything
    }

    /// Why an `--env-allow` pattern is refused.
    public struct InvalidPattern: Error, Equatable, CustomStringConvertible {
        public let pattern: String

        public init(pattern: String) {
            self.pattern = pattern
        }

        public var description: String {
            "--env-allow \(pattern.debugDescription) must be a variable name ([A-Za-z_][A-Za-z0-9_]*), optionally ending in *"
        }
    }

    /// Patterns as given on the command line: `NAME` or `PREFIX*` (a lone `*` allows
    /// everything, said explicitly). An empty list means no restriction.
    public init(patterns: [String]) throws(InvalidPattern) {
        allowsEverything = patterns.isEmpty || patterns.contains("*")
        for pattern in patterns where pattern != "*" {
            if pattern.hasSuffix("*") {
                let prefix = String(pattern.dropLast())
                guard SecretTemplate.isValidVariableName(prefix) else { throw InvalidPattern(pattern: pattern) }
                prefixes.append(prefix)
            } else {
                guard SecretTemplate.isValidVariableName(pattern) else { throw InvalidPattern(pattern: pattern) }
                names.insert(pattern)
            }
        }
    }

    public func allows(_ name: String) -> Bool {
        allowsEverything || names.contains(name) || prefixes.contains { name.hasPrefix($0) }
    }

    public var description: String {
        allowsEverything ? "*" : (names.sorted() + prefixes.sorted().map { $0 + "*" }).joined(separator: ",")
    }
}
