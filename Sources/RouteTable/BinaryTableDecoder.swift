import Crypto

/// Reads the binary format back, checking magic, version, length, checksum and every
/// id, count and enum value before it trusts them.
public enum BinaryTableDecoder {
    public static func decode(_ bytes: [UInt8]) throws(TableError) -> RouteTable {
        guard bytes.count >= BinaryFormat.magic.count,
            Array(bytes.prefix(BinaryFormat.magic.count)) == BinaryFormat.magic
        else {
            throw .unrecognized("missing the PIAPIRT magic")
        }
        var header = ByteReader(bytes[BinaryFormat.magic.count...])
        let version = try header.u16("header")
        guard BinaryFormat.readableVersions.contains(version) else {
            throw .unrecognized(
                "format version \(version); this build reads versions \(BinaryFormat.readableVersions.lowerBound) to \(BinaryFormat.readableVersions.upperBound)"
            )
        }
        guard try header.u16("header") == 0 else { throw .corrupt("unknown header flags") }
        let length = Int(try header.u32("header"))
        let checksum = try header.raw(32, "header")
        guard length <= BinaryFormat.maxPayloadSize, bytes.count - BinaryFormat.headerSize == length else {
            throw .corrupt("payload is \(bytes.count - BinaryFormat.headerSize) bytes, header says \(length)")
        }
        let payload = bytes[BinaryFormat.headerSize...]
        guard SHA256.hash(data: payload).elementsEqual(checksum) else { throw .corrupt("payload checksum mismatch") }
        return try decodePayload(payload, version: version)
    }

    private static func decodePayload(_ payload: ArraySlice<UInt8>, version: UInt16) throws(TableError) -> RouteTable {
        var r = ByteReader(payload)

        var strings: [String] = []
        let stringCount = try r.count("string table", minSize: 4)
        strings.reserveCapacity(stringCount)
        for _ in 0..<stringCount {
            let length = Int(try r.u32("string length"))
            let raw = try r.raw(length, "string")
            guard let s = String(validating: raw, as: UTF8.self) else {
                throw .corrupt("string \(strings.count) is not UTF-8")
            }
            strings.append(s)
        }
        func string(_ what: String) throws(TableError) -> String {
            let id = Int(try r.u32(what))
            guard id < strings.count else { throw .corrupt("\(what) refers to missing string \(id)") }
            return strings[id]
        }

        var targets: [Target] = []
        let targetCount = try r.count("targets", minSize: 33)
        for _ in 0..<targetCount {
            let provider = try string("provider")
            let keyName = try string("key name")
            let service = try string("service type")
            guard let scheme = Upstream.Scheme(rawValue: try r.u8("scheme")) else { throw .corrupt("unknown scheme") }
            let host = try string("host")
            let port = try r.u16("port")
            let basePath = try string("base path")
            let baseQuery = try string("base query")
            guard let mode = Injection.Mode(rawValue: try r.u8("injection mode")) else {
                throw .corrupt("unknown injection mode")
            }
            let name = try string("injection name")
            var parts: [SecretTemplate.Part] = []
            for _ in 0..<Int(try r.u16("template")) {
                let kind = try r.u8("template part")
                let text = try string("template part")
                switch kind {
                case 0: parts.append(.literal(text))
                case 1 where SecretTemplate.isValidVariableName(text): parts.append(.variable(text))
                default: throw .corrupt("bad template part")
                }
            }
            targets.append(
                Target(
                    provider: provider, keyName: keyName, serviceType: service,
                    upstream: Upstream(
                        scheme: scheme, host: host, port: port, basePath: basePath, baseQuery: baseQuery),
                    injection: Injection(mode: mode, name: name, value: SecretTemplate(parts: parts))))
        }

        // Version 1 has no prices and no limits.
        let hasPricesAndLimits = version >= 2
        var prices: [String: ModelPrice] = [:]
        if hasPricesAndLimits {
            var previous: String?
            for _ in 0..<(try r.count("prices", minSize: 36)) {
                let model = try string("price model")
                if let previous, !previous.utf8.lexicographicallyPrecedes(model.utf8) {
                    throw .corrupt("prices are not sorted by model, or a model is listed twice")
                }
                previous = model
                let input = Double(bitPattern: try r.u64("price"))
                let output = Double(bitPattern: try r.u64("price"))
                let cacheRead = Double(bitPattern: try r.u64("price"))
                let cacheWrite = Double(bitPattern: try r.u64("price"))
                guard
                    prices.updateValue(
                        ModelPrice(input: input, output: output, cacheRead: cacheRead, cacheWrite: cacheWrite),
                        forKey: model) == nil
                else { throw .corrupt("a model is priced twice") }
            }
        }

        var users: [UserRoutes] = []
        let userCount = try r.count("users", minSize: hasPricesAndLimits ? 39 : 38)
        users.reserveCapacity(userCount)
        for _ in 0..<userCount {
            let digest = try r.digest("key digest")
            let name = try string("user name")
            let limits = hasPricesAndLimits ? try readLimits(&r) : .unlimited
            var routes: [Route] = []
            for _ in 0..<Int(try r.u16("route count")) {
                let service = try string("route service")
                guard let strategy = Route.Strategy(rawValue: try r.u8("strategy")) else {
                    throw .corrupt("unknown strategy")
                }
                var candidates: [Route.Candidate] = []
                for _ in 0..<Int(try r.u16("candidate count")) {
                    let target = Int(try r.u32("candidate target"))
                    let weight = try r.u32("candidate weight")
                    let flags = try r.u8("candidate flags")
                    guard flags <= 1 else { throw .corrupt("unknown candidate flags") }
                    candidates.append(Route.Candidate(target: target, weight: weight, enabled: flags == 1))
                }
                routes.append(Route(service: service, strategy: strategy, candidates: candidates))
            }
            users.append(UserRoutes(keyDigest: digest, name: name, routes: routes, limits: limits))
        }
        guard r.remaining == 0 else { throw .corrupt("\(r.remaining) unexpected bytes after the users") }

        do {
            return try RouteTable(targets: targets, users: users, prices: prices)
        } catch {
            if case .invalid(let why) = error { throw .corrupt(why) }
            throw error
        }
    }

    /// The limits mask and the values it announces; a count too large for `Int` is corrupt
    /// here, the range and sign of every value are checked by `RouteTable.init`.
    private static func readLimits(_ r: inout ByteReader) throws(TableError) -> UserLimits {
        let fields = UserLimits.Field.allCases
        let mask = try r.u8("limits")
        guard mask >> fields.count == 0 else { throw .corrupt("unknown limits") }
        var limits = UserLimits.unlimited
        for (bit, field) in fields.enumerated() where mask & (1 << bit) != 0 {
            let raw = try r.u64("limit")
            if field.isUSD {
                limits[usd: field] = Double(bitPattern: raw)
            } else {
                guard let count = Int(exactly: raw) else { throw .corrupt("\(field.name) out of range") }
                limits[count: field] = count
            }
        }
        return limits
    }
}
