import Crypto

/// Writes a `RouteTable` in the binary format of `BinaryFormat`: same table, same bytes.
public enum BinaryTableEncoder {
    public static func encode(_ table: RouteTable) -> [UInt8] {
        let payload = payload(of: table)
        return header(for: payload) + payload
    }

    /// Magic, version, flags, length and checksum for a payload.
    static func header(for payload: [UInt8]) -> [UInt8] {
        var out = ByteWriter()
        out.raw(BinaryFormat.magic)
        out.u16(BinaryFormat.version)
        out.u16(0)
        out.u32(UInt32(payload.count))
        out.raw(Array(SHA256.hash(data: payload)))
        return out.bytes
    }

    /// The payload alone; its SHA-256 is the table's identity (`RouteTable.contentHash`).
    static func payload(of table: RouteTable) -> [UInt8] {
        var strings = StringInterner()
        var body = ByteWriter()

        body.u32(UInt32(table.targets.count))
        for t in table.targets {
            body.u32(strings.id(t.provider))
            body.u32(strings.id(t.keyName))
            body.u32(strings.id(t.serviceType))
            body.u8(t.upstream.scheme.rawValue)
            body.u32(strings.id(t.upstream.host))
            body.u16(t.upstream.port)
            body.u32(strings.id(t.upstream.basePath))
            body.u32(strings.id(t.upstream.baseQuery))
            body.u8(t.injection.mode.rawValue)
            body.u32(strings.id(t.injection.name))
            body.u16(UInt16(t.injection.value.parts.count))
            for part in t.injection.value.parts {
                switch part {
                case .literal(let s): body.u8(0); body.u32(strings.id(s))
                case .variable(let s): body.u8(1); body.u32(strings.id(s))
                }
            }
        }

        body.u32(UInt32(table.users.count))
        for user in table.users {
            body.raw(user.keyDigest.bytes)
            body.u32(strings.id(user.name))
            body.u16(UInt16(user.routes.count))
            for route in user.routes {
                body.u32(strings.id(route.service))
                body.u8(route.strategy.rawValue)
                body.u16(UInt16(route.candidates.count))
                for c in route.candidates {
                    body.u32(UInt32(c.target))
                    body.u32(c.weight)
                    body.u8(c.enabled ? 1 : 0)
                }
            }
        }

        var out = ByteWriter()
        out.u32(UInt32(strings.strings.count))
        for s in strings.strings {
            out.u32(UInt32(s.utf8.count))
            out.raw(Array(s.utf8))
        }
        out.raw(body.bytes)
        return out.bytes
    }
}
