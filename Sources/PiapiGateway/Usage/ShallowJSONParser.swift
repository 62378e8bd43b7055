/// A strict JSON parser that never traps and allocates only for what it keeps (see
/// `ShallowJSON`). Written for the tap rather than using `JSONSerialization` so that a
/// boolean is never read as a count, integers above 2^53 stay exact (and can be refused), and
/// hostile nesting ends in a refusal at `maxDepth`, not in a stack overflow.
struct ShallowJSONParser {
    /// Objects up to this depth (the document itself is depth 1) are kept as dictionaries.
    static let keptDepth = 4
    /// Deeper nesting is refused; recursion stays well inside an event-loop thread's stack.
    static let maxDepth = 256
    /// Strings longer than this (in UTF-8 bytes, after unescaping) become `.other`; model
    /// names are far shorter.
    static let maxKeptStringBytes = 256
    /// Member names longer than this cannot be one the tap reads: the member is skipped.
    static let maxKeptKeyBytes = 64

    /// Why parsing stopped; the tap only needs to know that it did.
    struct Failure: Error {}

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    private init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The document in `bytes`, or nil when it is not exactly one JSON value (surrounding
    /// whitespace allowed).
    static func parse(_ bytes: UnsafeRawBufferPointer) -> ShallowJSON? {
        var parser = ShallowJSONParser(bytes)
        do {
            parser.skipWhitespace()
            let value = try parser.value(depth: 1, keep: true)
            parser.skipWhitespace()
            return parser.index == bytes.count ? value : nil
        } catch {
            return nil
        }
    }

    private mutating func value(depth: Int, keep: Bool) throws(Failure) -> ShallowJSON {
        guard depth <= Self.maxDepth, index < bytes.count else { throw Failure() }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return try object(depth: depth, keep: keep && depth <= Self.keptDepth)
        case UInt8(ascii: "["):
            try array(depth: depth)
            return .other
        case UInt8(ascii: "\""):
            let text = try string(keepUpTo: keep ? Self.maxKeptStringBytes : -1)
            return text.map(ShallowJSON.string) ?? .other
        case UInt8(ascii: "t"):
            try literal("true")
            return .other
        case UInt8(ascii: "f"):
            try literal("false")
            return .other
        case UInt8(ascii: "n"):
            try literal("null")
            return .null
        default:
            return try number()
        }
    }

    private mutating func object(depth: Int, keep: Bool) throws(Failure) -> ShallowJSON {
        index += 1
        // Room for a usage object's members up front: growing from empty rehashed every key
        // several times per response. An object that is not kept never allocates.
        var members: [String: ShallowJSON] = keep ? Dictionary(minimumCapacity: 8) : [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return keep ? .object(members) : .other
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Failure() }
            let key = try string(keepUpTo: keep ? Self.maxKeptKeyBytes : -1)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Failure() }
            index += 1
            skipWhitespace()
            let member = try value(depth: depth + 1, keep: key != nil)
            if let key {
                members[key] = member
            }
            skipWhitespace()
            guard index < bytes.count else { throw Failure() }
            let separator = bytes[index]
            index += 1
            if separator == UInt8(ascii: "}") { break }
            guard separator == UInt8(ascii: ",") else { throw Failure() }
        }
        return keep ? .object(members) : .other
    }

    private mutating func array(depth: Int) throws(Failure) {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            _ = try value(depth: depth + 1, keep: false)
            skipWhitespace()
            guard index < bytes.count else { throw Failure() }
            let separator = bytes[index]
            index += 1
            if separator == UInt8(ascii: "]") { return }
            guard separator == UInt8(ascii: ",") else { throw Failure() }
        }
    }

    /// Reads a string starting at its opening quote. Returns its text when it fits in
    /// `limit` bytes (a negative limit keeps nothing), else nil; throws only on bad syntax.
    private mutating func string(keepUpTo limit: Int) throws(Failure) -> String? {
        index += 1
        let start = index
        var escaped = false
        while true {
            guard index < bytes.count else { throw Failure() }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 { throw Failure() }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                index += 1
                guard index < bytes.count else { throw Failure() }
                switch bytes[index] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                    UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    for _ in 0..<4 {
                        index += 1
                        guard index < bytes.count, Self.hexValue(bytes[index]) != nil else { throw Failure() }
                    }
                default:
                    throw Failure()
                }
            }
            index += 1
        }
        let end = index
        index += 1
        // Escapes only ever shrink the text, so the raw length bounds the decoded one.
        guard limit >= 0, end - start <= (escaped ? 6 * limit : limit) else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        let text = escaped ? Self.unescape(raw) : String(decoding: raw, as: UTF8.self)
        return text.utf8.count <= limit ? text : nil
    }

    /// The text of a string body already checked by `string(keepUpTo:)`; lone surrogates
    /// become U+FFFD.
    private static func unescape(_ raw: UnsafeRawBufferPointer) -> String {
        var scalars = String.UnicodeScalarView()
        var utf8: [UInt8] = []
        var i = 0
        func flush() {
            if !utf8.isEmpty {
                scalars.append(contentsOf: String(decoding: utf8, as: UTF8.self).unicodeScalars)
                utf8.removeAll(keepingCapacity: true)
            }
        }
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            var value: UInt32 = 0
            for j in at..<(at + 4) {
                guard let digit = hexValue(raw[j]) else { return nil }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while i < raw.count {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\") else {
                utf8.append(byte)
                i += 1
                continue
            }
            let kind = raw[i + 1]
            i += 2
            switch kind {
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                flush()
                var code = hex4(i) ?? 0xFFFD
                i += 4
                if (0xD800..<0xDC00).contains(code), i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"),
                    raw[i + 1] == UInt8(ascii: "u"), let low = hex4(i + 2), (0xDC00..<0xE000).contains(low)
                {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    i += 6
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: utf8.append(kind)
            }
        }
        flush()
        return String(scalars)
    }

    /// A number per the JSON grammar: `.integer` when written as an integer that fits in
    /// `Int`, `.other` otherwise.
    private mutating func number() throws(Failure) -> ShallowJSON {
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count, Self.isDigit(bytes[index]) else { throw Failure() }
        var magnitude = 0
        var fits = true
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, Self.isDigit(bytes[index]) {
                let (times10, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int(bytes[index] - UInt8(ascii: "0")))
                if overflow1 || overflow2 { fits = false } else { magnitude = sum }
                index += 1
            }
        }
        var integral = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integral = false
            index += 1
            try digits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            try digits()
        }
        guard integral, fits else { return .other }
        return .integer(negative ? -magnitude : magnitude)
    }

    private mutating func digits() throws(Failure) {
        guard index < bytes.count, Self.isDigit(bytes[index]) else { throw Failure() }
        while index < bytes.count, Self.isDigit(bytes[index]) {
            index += 1
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Failure() }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
            throw Failure()
        }
        index += count
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
