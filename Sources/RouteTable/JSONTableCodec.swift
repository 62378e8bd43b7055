#if canImport(FoundationEssentials)
// Everything this file uses from Foundation is in FoundationEssentials, which has no ICU.
import FoundationEssentials
#else
import Foundation
#endif

/// The same table as readable JSON (`-o routes.json`): handy for review and tooling,
/// loaded by piapi-serve exactly like the binary form.
public enum JSONTableCodec {
    public static let formatName = "piapi-route-table"

    public static func encode(_ table: RouteTable) -> [UInt8] {
        let document = Document(
            format: formatName,
            version: Int(BinaryFormat.version),
            targets: table.targets.map { t in
                Document.Target(
                    provider: t.provider, key: t.keyName, service: t.serviceType,
                    upstream: .init(
                        scheme: t.upstream.scheme.name, host: t.upstream.host, port: Int(t.upstream.port),
                        basePath: t.upstream.basePath, baseQuery: t.upstream.baseQuery),
                    injection: .init(
                        mode: t.injection.mode.name, name: t.injection.name,
                        value: t.injection.value.parts.map(Document.Part.init)))
            },
            prices: table.prices.mapValues(Document.Price.init),
            users: table.users.map { u in
                Document.User(
                    name: u.name, keySHA256: u.keyDigest.hex,
                    limits: u.limits.isUnlimited ? nil : Document.Limits(u.limits),
                    routes: u.routes.map { r in
                        Document.Route(
                            service: r.service, strategy: r.strategy.name,
                            candidates: r.candidates.map {
                                .init(target: $0.target, weight: Int($0.weight), enabled: $0.enabled)
                            })
                    })
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Encoding strings, integers and finite numbers (RouteTable.init refuses the others) cannot fail.
        var bytes = Array(try! encoder.encode(document))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    public static func decode(_ bytes: [UInt8]) throws(TableError) -> RouteTable {
        let document: Document
        do {
            document = try JSONDecoder().decode(Document.self, from: Data(bytes))
        } catch {
            throw .corrupt("JSON table does not match the expected shape (\(Self.summary(of: error)))")
        }
        guard document.format == formatName else { throw .unrecognized("JSON format is \"\(document.format)\"") }
        let versions = BinaryFormat.readableVersions
        guard let version = UInt16(exactly: document.version), versions.contains(version) else {
            throw .unrecognized(
                "format version \(document.version); this build reads versions \(versions.lowerBound) to \(versions.upperBound)"
            )
        }
        // Version 1 has no prices and no limits; a file that claims it and has them is not one we wrote.
        if version < 2, document.prices != nil || document.users.contains(where: { $0.limits != nil }) {
            throw .corrupt("a version 1 table carries prices or limits")
        }
        var targets: [Target] = []
        for t in document.targets {
            guard let scheme = Upstream.Scheme.allCases.first(where: { $0.name == t.upstream.scheme }) else {
                throw .corrupt("unknown scheme")
            }
            guard let port = UInt16(exactly: t.upstream.port) else { throw .corrupt("port out of range") }
            let mode: Injection.Mode
            switch t.injection.mode {
            case "header": mode = .header
            case "query": mode = .query
            default: throw .corrupt("unknown injection mode")
            }
            var parts: [SecretTemplate.Part] = []
            for p in t.injection.value {
                switch (p.literal, p.env) {
                case (let text?, nil): parts.append(.literal(text))
                case (nil, let name?) where SecretTemplate.isValidVariableName(name): parts.append(.variable(name))
                default: throw .corrupt("bad credential part")
                }
            }
            targets.append(
                Target(
                    provider: t.provider, keyName: t.key, serviceType: t.service,
                    upstream: Upstream(
                        scheme: scheme, host: t.upstream.host, port: port,
                        basePath: t.upstream.basePath, baseQuery: t.upstream.baseQuery),
                    injection: Injection(mode: mode, name: t.injection.name, value: SecretTemplate(parts: parts))))
        }
        var users: [UserRoutes] = []
        for u in document.users {
            guard let digest = KeyDigest(hex: u.keySHA256) else { throw .corrupt("bad keySHA256") }
            var routes: [Route] = []
            for r in u.routes {
                guard let strategy = Route.Strategy(name: r.strategy) else { throw .corrupt("unknown strategy") }
                var candidates: [Route.Candidate] = []
                for c in r.candidates {
                    guard let weight = UInt32(exactly: c.weight) else { throw .corrupt("weight out of range") }
                    candidates.append(Route.Candidate(target: c.target, weight: weight, enabled: c.enabled))
                }
                routes.append(Route(service: r.service, strategy: strategy, candidates: candidates))
            }
            users.append(
                UserRoutes(keyDigest: digest, name: u.name, routes: routes, limits: u.limits?.limits ?? .unlimited))
        }
        do {
            return try RouteTable(targets: targets, users: users, prices: (document.prices ?? [:]).mapValues(\.price))
        } catch {
            if case .invalid(let why) = error { throw .corrupt(why) }
            throw error
        }
    }

    /// Names what was wrong without quoting values (which could be secrets).
    private static func summary(of error: Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        switch error {
        case .keyNotFound(let key, _): return "missing \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case .dataCorrupted: return "not valid JSON"
        @unknown default: return "not valid JSON"
        }
    }

    private struct Document: Codable {
        struct Target: Codable {
            var provider: String
            var key: String
            var service: String
            var upstream: Upstream
            var injection: Injection
        }
        struct Upstream: Codable {
            var scheme: String
            var host: String
            var port: Int
            var basePath: String
            var baseQuery: String
        }
        struct Injection: Codable {
            var mode: String
            var name: String
            var value: [Part]
        }
        struct Part: Codable {
            var literal: String?
            var env: String?

            init(_ part: SecretTemplate.Part) {
                switch part {
                case .literal(let text): literal = text
                case .variable(let name): env = name
                }
            }
        }
        struct User: Codable {
            var name: String
            var keySHA256: String
            /// Absent for a user without limits (and in version 1).
            var limits: Limits?
            var routes: [Route]
        }
        struct Price: Codable {
            var input: Double
            var output: Double
            var cacheRead: Double
            var cacheWrite: Double

            init(_ price: ModelPrice) {
                input = price.input
                output = price.output
                cacheRead = price.cacheRead
                cacheWrite = price.cacheWrite
            }

            var price: ModelPrice {
                ModelPrice(input: input, output: output, cacheRead: cacheRead, cacheWrite: cacheWrite)
            }
        }
        /// The config's field names; an absent field is unlimited.
        struct Limits: Codable {
            var requestsPerMinute: Int?
            var concurrentRequests: Int?
            var tokensPerDay: Int?
            var tokensPerMonth: Int?
            var usdPerDay: Double?
            var usdPerMonth: Double?

            init(_ limits: UserLimits) {
                requestsPerMinute = limits.requestsPerMinute
                concurrentRequests = limits.concurrentRequests
                tokensPerDay = limits.tokensPerDay
                tokensPerMonth = limits.tokensPerMonth
                usdPerDay = limits.usdPerDay
                usdPerMonth = limits.usdPerMonth
            }

            var limits: UserLimits {
                UserLimits(
                    requestsPerMinute: requestsPerMinute, concurrentRequests: concurrentRequests,
                    tokensPerDay: tokensPerDay,
                    tokensPerMonth: tokensPerMonth, usdPerDay: usdPerDay, usdPerMonth: usdPerMonth)
            }
        }
        struct Route: Codable {
            var service: String
            var strategy: String
            var candidates: [Candidate]
        }
        struct Candidate: Codable {
            var target: Int
            var weight: Int
            var enabled: Bool
        }

        var format: String
        var version: Int
        var targets: [Target]
        /// Always written from version 2 on (`{}` without prices); absent in version 1.
        var prices: [String: Price]?
        var users: [User]
    }
}
