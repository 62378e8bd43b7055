/// A response's `Content-Encoding` as the tap can handle it. Codings are listed in the order
/// they were applied; `identity` adds nothing; a single `gzip` (or its alias `x-gzip`) or
/// `deflate` is inflated on the side; anything else (`br`, `zstd`, stacked codings) means the
/// usage is unknown (`encoding`).
enum UsageContentCoding: Sendable, Equatable {
    case identity
    case gzip
    case deflate
    case unsupported

    init(header: String?) {
        let codings = (header ?? "").split(separator: ",").compactMap { token -> String? in
            let name = Self.trimmed(token).lowercased()
            return name.isEmpty || name == "identity" ? nil : name
        }
        switch codings {
        case []: self = .identity
        case ["gzip"], ["x-gzip"]: self = .gzip
        case ["deflate"]: self = .deflate
        default: self = .unsupported
        }
    }

    /// `text` without the spaces and tabs around it (header list syntax, RFC 9110 §5.6.1).
    static func trimmed(_ text: Substring) -> Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) })
        else {
            return ""
        }
        return text[first...last]
    }
}
