/// A credential value as the table stores it: literal text and `${VAR}` references that
/// piapi-serve resolves from its environment at load time, so secrets can stay out of files.
public struct SecretTemplate: Hashable, Sendable {
    public enum Part: Hashable, Sendable {
        case literal(String)
        case variable(String)
    }

    public var parts: [Part]

    public init(parts: [Part]) {
        self.parts = parts
    }

    public init(literal: String) {
        self.parts = literal.isEmpty ? [] : [.literal(literal)]
    }

    /// The environment variables this value needs, in order of appearance.
    public var variables: [String] {
        parts.compactMap { if case .variable(let name) = $0 { name } else { nil } }
    }

    /// True when a variable name is `[A-Za-z_][A-Za-z0-9_]*`, the shape shells accept.
    public static func isValidVariableName<S: StringProtocol>(_ name: S) -> Bool {
        guard let first = name.utf8.first, first == UInt8(ascii: "_") || isLetter(first) else { return false }
        return name.utf8.allSatisfy {
            $0 == UInt8(ascii: "_") || isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
        }
    }

    private static func isLetter(_ c: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(c)
    }

    /// Why a `${…}` reference in a config value is malformed.
    public enum ParseError: Error, Equatable, Sendable {
        case unterminated
        case invalidName(String)
    }

    /// Parses config text: `${NAME}` is a reference, any other `$` is literal text.
    public static func parse(_ text: String) throws(ParseError) -> SecretTemplate {
        var parts: [Part] = []
        var literal = Substring()
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            let afterDollar = rest.index(after: dollar)
            guard afterDollar < rest.endIndex, rest[afterDollar] == "{" else {
                literal += rest[...dollar]
                rest = rest[afterDollar...]
                continue
            }
            literal += rest[..<dollar]
            let nameStart = rest.index(after: afterDollar)
            guard let close = rest[nameStart...].firstIndex(of: "}") else { throw .unterminated }
            let name = rest[nameStart..<close]
            guard isValidVariableName(name) else { throw .invalidName(String(name)) }
            if !literal.isEmpty { parts.append(.literal(String(literal))) }
            literal = ""
            parts.append(.variable(String(name)))
            rest = rest[rest.index(after: close)...]
        }
        literal += rest
        if !literal.isEmpty { parts.append(.literal(String(literal))) }
        return SecretTemplate(parts: parts)
    }

    /// Replaces every reference, transforming each resolved value with `encode` (query items
    /// percent-encode it); fails with the first variable the lookup cannot supply or supplies
    /// empty or with a control character (CR/LF would add header lines upstream).
    public func resolve(
        _ lookup: (String) -> String?,
        encode: (String) -> String = { $0 }
    ) throws(UnresolvedVariable) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .variable(let name):
                guard !UnresolvedVariable.isReserved(name) else {
                    throw UnresolvedVariable(name: name, problem: .reserved)
                }
                guard let value = lookup(name) else { throw UnresolvedVariable(name: name) }
                guard !value.allSatisfy(\.isWhitespace) else { throw UnresolvedVariable(name: name, problem: .empty) }
                guard !WireCheck.hasControlCharacter(value) else {
                    throw UnresolvedVariable(name: name, problem: .controlCharacter)
                }
                out += encode(value)
            }
        }
        return out
    }

    /// The value with every reference kept as `${NAME}`: safe to show, since references are names.
    public func describe(literal: (String) -> String) -> String {
        parts.map { part in
            switch part {
            case .literal(let text): literal(text)
            case .variable(let name): "${\(name)}"
            }
        }.joined()
    }
}

/// A `${VAR}` reference piapi-serve cannot use. An empty value or one with a control character
/// is refused like an unset one: it would send a bare prefix, or let the environment (a Windows
/// `.env` leaves a trailing CR) write extra header lines into the upstream request.
public struct UnresolvedVariable: Error, Equatable, Sendable {
    public enum Problem: Equatable, Sendable {
        case unset
        /// Empty, or only whitespace.
        case empty
        case controlCharacter
        /// One of piapi-serve's own secrets: a table (whoever can write it) may not send
        /// them to an upstream of its choosing.
        case reserved
        /// Not allowed by piapi-serve's `--env-allow` list.
        case notAllowed
    }

    /// piapi-serve's own secrets, never a provider key: the admin token and PostgreSQL's
    /// password variable (the ledger's).
    public static func isReserved(_ name: String) -> Bool {
        reservedNames.contains(name)
    }

    public static let reservedNames: Set<String> = ["PIAPI_ADMIN_TOKEN", "PGPASSWORD"]

    public let name: String
    public let problem: Problem

    public init(name: String, problem: Problem = .unset) {
        self.name = name
        self.problem = problem
    }
}
