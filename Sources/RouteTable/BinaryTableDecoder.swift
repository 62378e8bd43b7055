import Crypto

/// Reads the binary format back, checking magic, version, length, checksum and every
/// id, count and enum value before it trusts them.
public enum BinaryTableDecoder {
    public static func decode(_ bytes: [UInt8]) throws(TableError) -> RouteTable {
        guard bytes.count >= BinaryFormat.magic.count, Array(bytes.prefix(BinaryFormat.magic.count)) == BinaryFormat.magic else {
            throw .unrecognized("missing the PIAPIRT magic")
        }
        var header = ByteReader(bytes[BinaryFormat.magic.count...])
        let version = try header.u16("header")
        guard version == BinaryFormat.version else {
            throw .unrecognized("format version \(version); this build reads version \(BinaryFormat.version)")
        }
        guard try header.u16("header") == 0 else { throw .corrupt("unknown header flags") }
        let length = Int(try header.u32("header"))
        let checksum = try header.raw(32, "header")
        guard length <= BinaryFormat.maxPayloadSize, bytes.count - BinaryFormat.headerSize == length else {
            throw .corrupt("payload is \(bytes.count - BinaryFormat.headerSize) bytes, header says \(length)")
        }
        let payload = bytes[BinaryFormat.headerSize...]
        guard SHA256.hash(data: payload).elementsEqual(checksum) else { throw .corrupt("payload checksum mismatch") }
        return try decodePayload(payload)
    }

    private static func decodePayload(_ payload: ArraySlice<UInt8>) throws(TableError) -> RouteTable {
        var r = ByteReader(payload)

        var strings: [String] = []
        let stringCount = try r.count("string table", minSize: 4)
        strings.reserveCapacity(stringCount)
        for _ in 0..<stringCount {
            let length = Int(try r.u32("string length"))
            let raw = try r.raw(length, "string")
            guard let s = String(validating: raw, as: UTF8.self) else { throw .corrupt("string \(strings.count) is not UTF-8") }
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
            guard let mode = Injection.Mode(rawValue: try r.u8("injection mode")) else { throw .corrupt("unknown injection mode") }
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
            targets.append(Target(
                provider: provider, keyName: keyName, serviceType: service,
                upstream: Upstream(scheme: scheme, host: host, port: port, basePath: basePath, baseQuery: baseQuery),
                injection: Injection(mode: mode, name: name, value: SecretTemplate(parts: parts))))
        }

        var users: [UserRoutes] = []
        let userCount = try r.count("users", minSize: 38)
        users.reserveCapacity(userCount)
        for _ in 0..<userCount {
            let digest = try r.digest("key digest")
            let name = try string("user name")
            var routes: [Route] = []
            for _ in 0..<Int(try r.u16("route count")) {
                let service = try string("route service")
                guard let strategy = Route.Strategy(rawValue: try r.u8("strategy")) else { throw .corrupt("unknown strategy") }
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
            users.append(UserRoutes(keyDigest: digest, name: name, routes: routes))
        }
        guard r.remaining == 0 else { throw .corrupt("\(r.remaining) unexpected bytes after the users") }

        do {
            return try RouteTable(targets: targets, users: users)
        } catch {
            if case .invalid(let why) = error { throw .corrupt(why) }
            throw error
        }
    }
}
