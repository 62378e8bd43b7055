/// The bytes a table may put on the wire, re-checked whenever a table is built or loaded: the
/// compiler already enforces them, but a hand-edited JSON table (or a binary one given a fresh
/// checksum) must not be able to add header lines, break the request line or send a bad Host.
/// Errors name the target and the field, never the value (which may be a credential).
enum WireCheck {
    static func check(_ target: Target, index: Int) throws(TableError) {
        func refuse(_ why: String) -> TableError { .invalid("target \(index) \(why)") }
        let upstream = target.upstream
        guard isHost(upstream.host) else {
            throw refuse("has an upstream host that is not a host name or [IPv6] address")
        }
        guard upstream.port != 0 else { throw refuse("has upstream port 0") }
        guard upstream.basePath.isEmpty || upstream.basePath.utf8.first == UInt8(ascii: "/"),
            isURLText(upstream.basePath, forbidding: "?#")
        else {
            throw refuse("has a base path that does not start with / or holds spaces, control characters, ? or #")
        }
        guard isURLText(upstream.baseQuery, forbidding: "#") else {
            throw refuse("has a base query holding spaces, control characters or #")
        }
        let injection = target.injection
        guard !injection.value.parts.isEmpty else { throw refuse("has an empty credential") }
        let literals = injection.value.parts.compactMap { if case .literal(let text) = $0 { text } else { nil } }
        switch injection.mode {
        case .header:
            guard isToken(injection.name) else { throw refuse("has a header name that is not an HTTP token") }
            guard !Injection.isReservedHeader(injection.name) else {
                throw refuse(
                    "has a header name the gateway manages (Host, Content-Length, Transfer-Encoding, hop-by-hop headers)"
                )
            }
            guard literals.allSatisfy({ !$0.isEmpty && !hasControlCharacter($0) }) else {
                throw refuse("has a credential part that is empty or holds control characters")
            }
        case .query:
            guard isEncodedQueryComponent(injection.name) else {
                throw refuse("has a query item name that is not percent-encoded")
            }
            guard literals.allSatisfy(isEncodedQueryComponent) else {
                throw refuse("has a credential part that is empty or not percent-encoded")
            }
        }
    }

    /// Any C0 control character (HTAB, CR and LF included) or DEL: none belongs in a credential.
    /// C0 controls, DEL, and the C1 controls U+0080–U+009F (UTF-8 `C2 80`…`C2 9F`).
    static func hasControlCharacter(_ text: String) -> Bool {
        text.utf8.contains { $0 < 0x20 || $0 == 0x7F }
            || text.unicodeScalars.contains { (0x80...0x9F).contains($0.value) }
    }

    /// A registered name (letters, digits, `-`, `.`, `_`) or a bracketed IPv6 literal, as the compiler accepts.
    private static func isHost(_ host: String) -> Bool {
        let bytes = Array(host.utf8)
        if bytes.first == UInt8(ascii: "[") {
            return bytes.count > 2 && bytes.last == UInt8(ascii: "]")
                && bytes.dropFirst().dropLast().allSatisfy {
                    isHexDigit($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".")
                }
        }
        return !bytes.isEmpty && bytes.allSatisfy { isAlphanumeric($0) || "-._".utf8.contains($0) }
    }

    /// No space, control character or DEL (each would end or split the request line), nor any of `forbidden`.
    private static func isURLText(_ text: String, forbidding forbidden: String) -> Bool {
        !text.utf8.contains { $0 <= 0x20 || $0 == 0x7F || forbidden.utf8.contains($0) }
    }

    /// RFC 9110 `tchar`s, at least one.
    private static func isToken(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { isAlphanumeric($0) || "!#$%&'*+-.^_`|~".utf8.contains($0) }
    }

    /// What `PercentEncoding.encodeQueryComponent` produces: unreserved bytes and `%XX`, at least one.
    private static func isEncodedQueryComponent(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return false }
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%") {
                guard i + 2 < bytes.count, isHexDigit(bytes[i + 1]), isHexDigit(bytes[i + 2]) else { return false }
                i += 3
            } else {
                guard isAlphanumeric(bytes[i]) || "-._~".utf8.contains(bytes[i]) else { return false }
                i += 1
            }
        }
        return true
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(b)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
    }

    private static func isHexDigit(_ b: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(b)
            || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(b)
    }
}
