/// Checks the extensions of one chunk-size line as they arrive (RFC 9112 §7.1.1):
/// `*( BWS ";" BWS name [ BWS "=" BWS value ] )`, a name being a token and a value a token or
/// a quoted-string, at most `maxBytes` long. Extensions pass on untouched, so anything an
/// upstream's parser might read differently from this one is refused instead.
struct ChunkExtensionScanner: Sendable {
    static let maxBytes = 4 * 1024

    /// Where in the grammar the next byte falls.
    private enum Position: Sendable {
        /// After the size or a whole extension: spaces, then `;`.
        case beforeSemicolon
        case beforeName
        case name
        /// Spaces after a name: `=` or `;` must follow.
        case afterName
        case beforeValue
        case token
        case quoted
        /// Just after a `\` in a quoted-string.
        case quotedPair
        case afterQuoted
    }

    private var position = Position.beforeSemicolon
    private var count = 0

    /// Whether the line may end here: right after a name or a value.
    var isComplete: Bool {
        switch position {
        case .name, .token, .afterQuoted: true
        default: false
        }
    }

    /// Takes the line's next byte (anything before its CR); false when the extensions break
    /// the grammar or grow too long.
    mutating func take(_ b: UInt8) -> Bool {
        count += 1
        guard count <= Self.maxBytes else { return false }
        let blank = b == ASCII.space || b == ASCII.tab
        let semicolon = b == UInt8(ascii: ";")
        switch position {
        case .beforeSemicolon:
            if semicolon { position = .beforeName } else if !blank { return false }
        case .beforeName:
            if ASCII.isTokenChar(b) { position = .name } else if !blank { return false }
        case .name, .afterName:
            if semicolon {
                position = .beforeName
            } else if b == UInt8(ascii: "=") {
                position = .beforeValue
            } else if blank {
                position = .afterName
            } else if position == .afterName || !ASCII.isTokenChar(b) {
                return false
            }
        case .beforeValue:
            if ASCII.isTokenChar(b) {
                position = .token
            } else if b == UInt8(ascii: "\"") {
                position = .quoted
            } else if !blank {
                return false
            }
        case .token, .afterQuoted:
            if semicolon {
                position = .beforeName
            } else if blank {
                position = .beforeSemicolon
            } else if position == .afterQuoted || !ASCII.isTokenChar(b) {
                return false
            }
        case .quoted:
            // qdtext: what a field value may hold except `"` and `\`.
            if b == UInt8(ascii: "\"") {
                position = .afterQuoted
            } else if b == UInt8(ascii: "\\") {
                position = .quotedPair
            } else if !HeaderField.allowsInValue(b) {
                return false
            }
        case .quotedPair:
            guard HeaderField.allowsInValue(b) else { return false }
            position = .quoted
        }
        return true
    }
}
