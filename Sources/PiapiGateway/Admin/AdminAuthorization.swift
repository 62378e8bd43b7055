import Crypto

/// Checks an admin request's `Authorization` header against `PIAPI_ADMIN_TOKEN`: either
/// `Bearer <token>` or HTTP Basic with the token as the password (any user name, so a browser's
/// login prompt works). The comparison is between SHA-256 digests of equal length, byte by byte
/// without an early exit, so its time says nothing about how much of a guess was right.
public struct AdminAuthorization: Sendable {
    /// The digest of the token; the token itself is not kept.
    private let tokenDigest: [UInt8]?

    /// The `WWW-Authenticate` value of a 401.
    public static let challenge = "Basic realm=\"piapi admin\""

    /// `token` nil or empty: every request is let in (allowed on a loopback address only).
    public init(token: String?) {
        tokenDigest = token.flatMap { $0.isEmpty ? nil : Self.digest(Array($0.utf8)) }
    }

    public var requiresToken: Bool { tokenDigest != nil }

    /// Whether a request with this `Authorization` header value (nil when absent) may pass.
    public func allows(authorization: String?) -> Bool {
        guard let tokenDigest else { return true }
        guard let presented = authorization.flatMap(Self.presentedToken) else { return false }
        return Self.constantTimeEqual(Self.digest(presented), tokenDigest)
    }

    /// The credential in `Bearer <token>` or `Basic base64(user:token)` (scheme case-insensitive).
    static func presentedToken(_ header: String) -> [UInt8]? {
        let trimmed = header.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " ") else { return nil }
        let scheme = trimmed[..<space].lowercased()
        let value = trimmed[space...].drop { $0 == " " }
        guard !value.isEmpty else { return nil }
        switch scheme {
        case "bearer":
            return Array(value.utf8)
        case "basic":
            guard let decoded = Base64.decode(value.utf8), let colon = decoded.firstIndex(of: UInt8(ascii: ":")) else {
                return nil
            }
            return Array(decoded[(colon + 1)...])
        default:
            return nil
        }
    }

    private static func digest(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }

    /// Equal-length inputs compared with every byte visited whatever the differences.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Standard base64 (RFC 4648): decoding HTTP Basic credentials (padding optional) and
/// encoding the page's CSP hashes.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let chunk = Array(bytes[index..<min(index + 3, bytes.count)])
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<4 {
                out.append(
                    position <= chunk.count
                        ? alphabet[Int(value >> (18 - 6 * UInt32(position)) & 63)] : UInt8(ascii: "="))
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode<S: Sequence>(_ text: S) -> [UInt8]? where S.Element == UInt8 {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        var padding = 0
        for character in text {
            if character == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0, let value = sextet(character) else { return nil }
            buffer = buffer << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: buffer >> UInt32(bits)))
            }
        }
        guard padding <= 2, bits < 6 else { return nil }
        return output
    }

    private static func sextet(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): c - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): c - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
