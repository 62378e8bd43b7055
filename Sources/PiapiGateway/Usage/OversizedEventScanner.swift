/// Reads the few members usage needs out of a JSON document too large to hold — an SSE event
/// or WebSocket message over `UsageTap.maxEventBytes`, a body over `UsageTap.maxJSONBodyBytes`
/// — as its bytes pass, in constant memory. A Responses `response.completed` repeats the
/// client's own `instructions` and `tools`, so a client can pad it past any buffer; skipping
/// it would leave the response uncounted (a budget bypass found by a review).
///
/// It follows the structure only: the depth, whether it is inside a string (and after a
/// backslash there), and whether the containers at depths 1 and 2 are objects. A string at
/// depth 1 or 2 in key position is a key; only these members are kept, each up to its cap:
/// `type`, `object`, `model` and `usage` at depth 1, and `model` and `usage` of the depth-1
/// `response` object at depth 2. Depth is exact, so a `usage` nested deeper (a JSON schema's
/// `properties` inside `tools`) is not taken, and a string cannot forge a key: its content
/// never holds an unescaped `"`. `document()` rebuilds a small JSON document of the kept
/// members for the ordinary parser and `UsageReading`.
struct OversizedEventScanner: Sendable {
    /// The most of a `usage` value kept: real ones are a few hundred bytes.
    static let maxUsageBytes = 16 << 10
    /// The most of a `type`, `object` or `model` value kept.
    static let maxNameBytes = 1 << 10
    /// The longest key compared: longer ones are none of the names sought.
    private static let maxKeyBytes = 8

    private enum Member: Int, CaseIterable {
        case type, object, model, usage, responseModel, responseUsage

        var cap: Int {
            switch self {
            case .usage, .responseUsage: OversizedEventScanner.maxUsageBytes
            default: OversizedEventScanner.maxNameBytes
            }
        }
    }

    /// The number of open containers.
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// Whether the containers at depths 1 and 2 are objects (deeper ones are only counted).
    private var objectAt: (Bool, Bool) = (false, false)
    /// The next string at depth 1 or 2 is a key.
    private var expectingKey = false
    /// The string being read is a key at depth 1 or 2; `key` holds its first bytes.
    private var readingKey = false
    private var key: [UInt8] = []
    /// The last key read names a member sought; its value follows the colon.
    private var pending: Member?
    /// The depth-1 key `response` was read: an object opened next is the response.
    private var responseNext = false
    /// Inside the depth-1 `response` object.
    private var inResponse = false
    /// The member whose value is being kept, the depth of its container, and its bytes so far.
    private var capturing: (member: Member, depth: Int)?
    private var capture: [UInt8] = []
    private var captureOverflowed = false
    private var kept: [Member: [UInt8]] = [:]
    /// A closing bracket with nothing open: not JSON.
    private var broken = false

    /// The bytes held now (keys, the value being kept and the kept ones), for tests of the bound.
    var retainedBytes: Int {
        key.capacity + capture.capacity + kept.values.reduce(0) { $0 + $1.capacity }
    }

    mutating func feed(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes { step(byte) }
    }

    private mutating func step(_ byte: UInt8) {
        if let current = capturing {
            if !inString, depth == current.depth, byte == UInt8(ascii: ",") || byte == UInt8(ascii: "}") {
                if !captureOverflowed { kept[current.member] = capture }
                capturing = nil
                capture = []
            } else if !inString, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                // Whitespace between tokens is dropped: padding cannot use up the cap.
            } else if capture.count < current.member.cap {
                // Grown by doubling but never past the cap.
                if capture.count == capture.capacity {
                    capture.reserveCapacity(min(max(64, 2 * capture.capacity), current.member.cap))
                }
                capture.append(byte)
            } else {
                captureOverflowed = true
            }
        }
        if inString {
            if escaped {
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString = false
                if readingKey { endKey() }
                return
            }
            if readingKey, key.count <= Self.maxKeyBytes { key.append(byte) }
            return
        }
        switch byte {
        case UInt8(ascii: "\""):
            inString = true
            readingKey = expectingKey
            expectingKey = false
            key.removeAll(keepingCapacity: true)
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            depth += 1
            let isObject = byte == UInt8(ascii: "{")
            if depth == 1 { objectAt.0 = isObject }
            if depth == 2 {
                objectAt.1 = isObject
                inResponse = responseNext && isObject
            }
            responseNext = false
            expectingKey = depth <= 2 && isObject
        case UInt8(ascii: "}"), UInt8(ascii: "]"):
            guard depth > 0 else {
                broken = true
                return
            }
            depth -= 1
            if depth < 2 { inResponse = false }
            expectingKey = false
        case UInt8(ascii: ","):
            responseNext = false
            pending = nil
            expectingKey = (depth == 1 && objectAt.0) || (depth == 2 && objectAt.1)
        case UInt8(ascii: ":"):
            if let member = pending {
                capturing = (member, depth)
                capture = []
                captureOverflowed = false
            }
            pending = nil
        default:
            break
        }
    }

    /// A key at depth 1 or 2 ended: is it one sought here?
    private mutating func endKey() {
        readingKey = false
        pending = nil
        if depth == 1 {
            switch key {
            case Self.typeKey: pending = .type
            case Self.objectKey: pending = .object
            case Self.modelKey: pending = .model
            case Self.usageKey: pending = .usage
            case Self.responseKey: responseNext = true
            default: break
            }
        } else if depth == 2, inResponse {
            if key == Self.modelKey { pending = .responseModel }
            if key == Self.usageKey { pending = .responseUsage }
        }
    }

    private static let typeKey = Array("type".utf8)
    private static let objectKey = Array("object".utf8)
    private static let modelKey = Array("model".utf8)
    private static let usageKey = Array("usage".utf8)
    private static let responseKey = Array("response".utf8)

    /// The kept members as one small JSON object shaped like the original, e.g.
    /// `{"type":"response.completed","response":{"model":"gpt-5","usage":{…}}}`; nil when the
    /// bytes were not a whole JSON object or none of the members was found.
    func document() -> [UInt8]? {
        guard !broken, depth == 0, objectAt.0, !kept.isEmpty else { return nil }
        var out: [UInt8] = [UInt8(ascii: "{")]
        func member(_ name: String, _ value: [UInt8]) {
            if out.count > 1 { out.append(UInt8(ascii: ",")) }
            out += Array("\"\(name)\":".utf8) + value
        }
        for (name, which) in [("type", Member.type), ("object", .object), ("model", .model), ("usage", .usage)] {
            if let value = kept[which] { member(name, value) }
        }
        if kept[.responseModel] != nil || kept[.responseUsage] != nil {
            var inner: [UInt8] = [UInt8(ascii: "{")]
            if let value = kept[.responseModel] { inner += Array("\"model\":".utf8) + value }
            if let value = kept[.responseUsage] {
                if inner.count > 1 { inner.append(UInt8(ascii: ",")) }
                inner += Array("\"usage\":".utf8) + value
            }
            member("response", inner + [UInt8(ascii: "}")])
        }
        return out + [UInt8(ascii: "}")]
    }
}
