import Testing

@testable import RouteTable

@Suite struct BinaryCodecTests {
    @Test func roundTripKeepsEveryField() throws {
        let table = try SampleTables.small()
        let decoded = try BinaryTableDecoder.decode(BinaryTableEncoder.encode(table))
        #expect(decoded == table)
        let alice = try #require(decoded.lookup(digest: KeyDigest(ofKey: "piapi-user-alice"), service: "codex"))
        #expect(alice.user.name == "Alice")
        #expect(alice.route.strategy == .weightedRoundRobin)
        #expect(alice.route.candidates.map(\.weight) == [3, 1])
        #expect(alice.route.candidates.map(\.enabled) == [true, false])
        #expect(decoded.targets[alice.route.candidates[0].target] == SampleTables.alphaCodex)
        #expect(decoded.targets[alice.route.candidates[1].target] == SampleTables.betaCodex)
    }

    @Test func encodingIsDeterministicWhateverTheInputOrder() throws {
        let a = try SampleTables.small()
        let b = try RouteTable(
            targets: a.targets.reversed(),
            users: a.users.reversed().map { user in
                UserRoutes(
                    keyDigest: user.keyDigest, name: user.name,
                    routes: user.routes.reversed().map { route in
                        var route = route
                        route.candidates = route.candidates.map { c in
                            var c = c
                            c.target = a.targets.count - 1 - c.target
                            return c
                        }
                        return route
                    })
            })
        #expect(BinaryTableEncoder.encode(a) == BinaryTableEncoder.encode(b))
        #expect(BinaryTableEncoder.encode(a) == BinaryTableEncoder.encode(try SampleTables.small()))
    }

    @Test(arguments: [false, true])
    func everyTruncationIsAnErrorNeverACrash(priced: Bool) throws {
        let bytes = BinaryTableEncoder.encode(try priced ? SampleTables.priced() : SampleTables.small())
        for length in 0..<bytes.count {
            #expect(throws: TableError.self, "truncated at \(length)") {
                try BinaryTableDecoder.decode(Array(bytes.prefix(length)))
            }
        }
    }

    @Test(arguments: [false, true])
    func everySingleByteFlipIsDetected(priced: Bool) throws {
        let bytes = BinaryTableEncoder.encode(try priced ? SampleTables.priced() : SampleTables.small())
        for offset in bytes.indices {
            for mask: UInt8 in [0x01, 0x80, 0xff] {
                var altered = bytes
                altered[offset] ^= mask
                #expect(throws: TableError.self, "byte \(offset) ^ \(mask)") {
                    try BinaryTableDecoder.decode(altered)
                }
            }
        }
    }

    @Test func aConsistentlyReChecksummedButInvalidPayloadIsStillRejected() throws {
        // An attacker (or a bug) that rewrites the checksum must still not get past the
        // structural checks: point a candidate at a target that does not exist.
        let table = try SampleTables.small()
        var bytes = BinaryTableEncoder.encode(table)
        let lastCandidateTarget = bytes.count - 9
        bytes[lastCandidateTarget] = 0xee
        let payload = Array(bytes[BinaryFormat.headerSize...])
        let rehashed = BinaryTableEncoder.header(for: payload) + payload
        #expect(throws: TableError.self) { try BinaryTableDecoder.decode(rehashed) }
    }

    @Test func otherVersionsAndForeignFilesAreNamed() throws {
        var bytes = BinaryTableEncoder.encode(try SampleTables.small())
        bytes[8] = 3
        #expect(throws: TableError.unrecognized("format version 3; this build reads versions 1 to 2")) {
            try BinaryTableDecoder.decode(bytes)
        }
        #expect(throws: TableError.unrecognized("missing the PIAPIRT magic")) {
            try BinaryTableDecoder.decode(Array("providers:\n".utf8))
        }
    }

    @Test func tableIsCompact() throws {
        // 10,000 users × 2 services must fit well under 2 MB (issue figure); a quick proxy:
        // 1,000 users × 2 services stay under 100 bytes per route.
        let targets = (0..<10).map { i in
            Target(
                provider: "p\(i)", keyName: "k", serviceType: i % 2 == 0 ? "codex" : "claude_code",
                upstream: Upstream(scheme: .https, host: "h\(i).example", port: 443, basePath: "/v1", baseQuery: ""),
                injection: Injection(mode: .header, name: "Authorization", value: SecretTemplate(literal: "Bearer x")))
        }
        let users = (0..<1000).map { u in
            UserRoutes(
                keyDigest: KeyDigest(ofKey: "user-\(u)"), name: "user\(u)",
                routes: [
                    Route(service: "codex", candidates: [.init(target: (u % 5) * 2)]),
                    Route(service: "claude_code", candidates: [.init(target: (u % 5) * 2 + 1)]),
                ])
        }
        let bytes = BinaryTableEncoder.encode(try RouteTable(targets: targets, users: users))
        #expect(bytes.count < 2000 * 100)
    }
}
