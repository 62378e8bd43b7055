/// Query-string handling for forwarding: items are kept byte for byte, only those named like
/// the injected credential item are dropped (names compared percent-decoded).
enum QueryItems {
    /// Appends the client's query minus items whose decoded name is `droppedName`; returns
    /// whether anything was written. `separatorNeeded` says whether an `&` must come first.
    static func appendFiltered(
        _ b: UnsafeRawBufferPointer, _ query: Range<Int>, droppingName droppedName: [UInt8]?,
        separatorNeeded: Bool, to out: inout [UInt8]
    ) -> Bool {
        guard let droppedName else {
            if query.isEmpty { return false }
            if separatorNeeded { out.append(UInt8(ascii: "&")) }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[query]))
            return true
        }
        if query.isEmpty { return false }
        var wrote = false
        var start = query.lowerBound
        var i = start
        while i <= query.upperBound {
            if i == query.upperBound || b[i] == UInt8(ascii: "&") {
                let item = start..<i
                var nameEnd = start
                while nameEnd < i, b[nameEnd] != UInt8(ascii: "=") { nameEnd += 1 }
                let name = decodedName(UnsafeRawBufferPointer(rebasing: b[start..<nameEnd]))
                if name != droppedName {
                    if separatorNeeded || wrote { out.append(UInt8(ascii: "&")) }
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[item]))
                    wrote = true
                }
                start = i + 1
            }
            i += 1
        }
        return wrote
    }

    /// A query item name with `%XX` escapes and `+` decoded.
    static func decodedName<C: Collection>(_ name: C) -> [UInt8] where C.Element == UInt8, C.Index == Int {
        var out: [UInt8] = []
        out.reserveCapacity(name.count)
        var i = name.startIndex
        while i < name.endIndex {
            let c = name[i]
            if c == UInt8(ascii: "%"), i + 2 < name.endIndex, let hi = hex(name[i + 1]), let lo = hex(name[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
                continue
            }
            out.append(c == UInt8(ascii: "+") ? 0x20 : c)
            i += 1
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
