/// One header line of a parsed head, as offsets into the head's bytes: forwarding copies
/// whole lines, and only the few headers the proxy acts on are ever looked at closely.
struct HeaderField: Sendable {
    /// The whole line including its CRLF.
    var line: Range<Int>
    var name: Range<Int>
    /// The value without surrounding spaces.
    var value: Range<Int>
    var role: HeaderName.Role

    /// Splits the header block `bytes[start..<end]` (each line ending in CRLF, the final
    /// empty line excluded) into fields. Rejects bare CR/LF, every other control character
    /// but HTAB (NUL, VT, DEL…), folded lines and bad names.
    static func parseBlock(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> [HeaderField]? {
        var fields: [HeaderField] = []
        fields.reserveCapacity(16)
        var i = start
        while i < end {
            let lineStart = i
            var colon = -1
            while i < end {
                let b = bytes[i]
                if b == ASCII.cr { break }
                if !allowsInValue(b) { return nil }
                if colon < 0 && b == ASCII.colon { colon = i }
                i += 1
            }
            // The line must end in CRLF within the block.
            guard i + 1 < end, bytes[i] == ASCII.cr, bytes[i + 1] == ASCII.lf else { return nil }
            guard colon > lineStart else { return nil }
            let name = lineStart..<colon
            for j in name where !ASCII.isTokenChar(bytes[j]) { return nil }
            let value = ASCII.trimmed(bytes, (colon + 1)..<i)
            i += 2
            fields.append(
                HeaderField(
                    line: lineStart..<i, name: name, value: value,
                    role: HeaderName.role(of: bytes, name)))
        }
        return fields
    }

    /// Whether a field value may hold `b` (RFC 9110 §5.5): HTAB, SP, visible ASCII and
    /// obs-text. Other control characters are refused rather than forwarded, since the
    /// next parser may read them differently (as a line end, a separator…).
    @inline(__always)
    static func allowsInValue(_ b: UInt8) -> Bool {
        b == ASCII.tab || (b >= 0x20 && b != 0x7F)
    }
}
