/// How a target's credential reaches the upstream, worked out by the compiler so the
/// gateway only copies bytes: a header with its full value, or a query item.
public struct Injection: Hashable, Sendable {
    public enum Mode: UInt8, Sendable {
        case header = 0
        case query = 1

        public var name: String { self == .header ? "header" : "query" }
    }

    public var mode: Mode
    /// The header name, or the query item name already percent-encoded.
    public var name: String
    /// The full header value (prefix included), or the query value; in query mode the
    /// literal parts are already percent-encoded and resolved variables get encoded at load.
    public var value: SecretTemplate

    /// Headers that frame or route the request, or are hop-by-hop (lowercased): setting one to
    /// the key would break the proxied request or let the key rewrite its framing. The compiler
    /// refuses them as `auth.name`, and every loaded table is checked against them (`WireCheck`).
    public static let reservedHeaderNames: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "trailer", "upgrade",
        "proxy-connection",
    ]

    /// Whether `name` is one of `reservedHeaderNames`, in any letter case.
    public static func isReservedHeader(_ name: String) -> Bool {
        reservedHeaderNames.contains(name.lowercased())
    }

    public init(mode: Mode, name: String, value: SecretTemplate) {
        self.mode = mode
        self.name = name
        self.value = value
    }

    /// The value with references resolved from `environment`, ready to put on the wire.
    public func resolvedValue(_ environment: (String) -> String?) throws(UnresolvedVariable) -> String {
        switch mode {
        case .header: try value.resolve(environment)
        case .query: try value.resolve(environment, encode: PercentEncoding.encodeQueryComponent)
        }
    }

    /// A description with no secret in it: literal text is replaced by `<redacted>`,
    /// `${VAR}` references are shown by name.
    public var redactedDescription: String {
        let shown = value.variables.isEmpty ? "<redacted>" : value.describe(literal: { _ in "<redacted>" })
        switch mode {
        case .header: return "header \(name): \(shown)"
        case .query: return "query \(name)=\(shown)"
        }
    }
}
