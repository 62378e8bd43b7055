/// Decides which header and query names carry credentials and renders their values so an
/// operator can tell *which* credential arrived (scheme, length) without ever seeing it.
public enum CredentialRedactor {
    /// Name fragments that mark a header or query item as a credential
    /// (`authorization`, `x-api-key`, `api_key`, `access_token`, `cookie`, …).
    static let sensitiveFragments = ["auth", "key", "token", "secret", "password", "signature", "cookie", "session"]

    /// True when `name` (a header name or a query item name) looks like it carries a secret.
    public static func isSensitive(name: String) -> Bool {
        let lowered = name.lowercased()
        return sensitiveFragments.contains { lowered.contains($0) }
    }

    /// `Bearer <redacted, 14 chars>` for a scheme-prefixed value, `<redacted, 12 chars>`
    /// otherwise, `<empty>` for an empty value. The secret part is never echoed.
    public static func redact(_ value: String) -> String {
        if value.isEmpty {
            return "<empty>"
        }
        if let space = value.firstIndex(of: " ") {
            let scheme = value[..<space]
            let secret = value[value.index(after: space)...]
            if !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter }), !secret.isEmpty {
                return "\(scheme) <redacted, \(secret.count) chars>"
            }
        }
        return "<redacted, \(value.count) chars>"
    }
}
