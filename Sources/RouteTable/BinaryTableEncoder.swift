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
                case .literal(let s):
                    body.u8(0)
                    body.u32(strings.id(s))
                case .variable(let s):
                    body.u8(1)
                    body.u32(strings.id(s))
                }
            }
        }

        let models = table.pricedModels
        body.u32(UInt32(models.count))
        for model in models {
            body.u32(strings.id(model))
            for rate in table.prices[model]!.rates { body.u64(rate.bitPattern) }
        }

        body.u32(UInt32(table.users.count))
        for user in table.users {
            body.raw(user.keyDigest.bytes)
            body.u32(strings.id(user.name))
            limits(user.limits, into: &body)
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

    /// The limits mask, then each set limit: counts as integers, USD as f64 bit patterns.
    private static func limits(_ limits: UserLimits, into body: inout ByteWriter) {
        let fields = UserLimits.Field.allCases
        var mask: UInt8 = 0
        for (bit, field) in fields.enumerated() where limits.isSet(field) { mask |= 1 << bit }
        body.u8(mask)
        for field in fields {
            if let count = limits[count: field] { body.u64(UInt64(count)) }
            if let usd = limits[usd: field] { body.u64(usd.bitPattern) }
        }
    }
}
