import Testing

@testable import RouteTable

/// Prices and per-user limits in the table (format version 2), and version-1 tables still loading.
@Suite struct PricesAndLimitsTests {
    @Test func bothFormatsKeepPricesAndLimits() throws {
        let table = try SampleTables.priced()
        let binary = try BinaryTableDecoder.decode(BinaryTableEncoder.encode(table))
        let json = try JSONTableCodec.decode(JSONTableCodec.encode(table))
        for decoded in [binary, json] {
            #expect(decoded == table)
            #expect(decoded.prices == SampleTables.prices)
            #expect(decoded.contentHash == table.contentHash)
            let alice = try #require(decoded.user(for: KeyDigest(ofKey: "piapi-user-alice")))
            #expect(
                alice.limits
                    == UserLimits(
                        requestsPerMinute: 60, concurrentRequests: 4, tokensPerDay: 20_000_000,
                        tokensPerMonth: 9_007_199_254_740_991, usdPerDay: 0.1 + 0.2, usdPerMonth: 200))
            #expect(decoded.user(for: KeyDigest(ofKey: "piapi-user-bob"))?.limits == UserLimits(tokensPerDay: 1))
        }
        #expect(JSONTableCodec.encode(json) == JSONTableCodec.encode(table))
        #expect(BinaryTableEncoder.encode(json) == BinaryTableEncoder.encode(table))
    }

    @Test func pricesAndLimitsChangeTheContentHash() throws {
        let plain = try SampleTables.small()
        let priced = try SampleTables.priced()
        #expect(plain.contentHash != priced.contentHash)
        let onlyPrices = try RouteTable(targets: plain.targets, users: plain.users, prices: SampleTables.prices)
        #expect(onlyPrices.contentHash != plain.contentHash && onlyPrices.contentHash != priced.contentHash)
    }

    @Test func encodingIsDeterministicWhateverThePriceOrder() throws {
        let table = try SampleTables.priced()
        var reordered: [String: ModelPrice] = [:]
        for model in SampleTables.prices.keys.sorted().reversed() { reordered[model] = SampleTables.prices[model] }
        let again = try RouteTable(targets: table.targets, users: table.users.reversed(), prices: reordered)
        #expect(BinaryTableEncoder.encode(again) == BinaryTableEncoder.encode(table))
        #expect(JSONTableCodec.encode(again) == JSONTableCodec.encode(table))
        #expect(table.pricedModels == ["claude-sonnet-4-5", "gpt-4o-2024-08-06", "local-free"])
    }

    @Test func priceLookupIsAnExactMatch() throws {
        let table = try SampleTables.priced()
        #expect(
            table.price(for: "claude-sonnet-4-5") == ModelPrice(input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75))
        #expect(table.price(for: "Claude-Sonnet-4-5") == nil)
        #expect(table.price(for: "claude-sonnet-4") == nil)
        #expect(table.price(for: "gpt-4o") == nil)
        #expect(try SampleTables.small().price(for: "claude-sonnet-4-5") == nil)
    }

    @Test func costIsPerMillionTokens() {
        let price = ModelPrice(input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75)
        #expect(price.cost(input: 1_000_000, output: 0) == 3)
        #expect(
            price.cost(input: 1000, output: 2000, cacheRead: 10_000, cacheWrite: 4000)
                == (3_000 + 30_000 + 3_000 + 15_000) / 1_000_000.0)
        #expect(price.cost(input: 0, output: 0) == 0)
    }

    @Test func jsonShowsPricesAndOnlyTheLimitsThatAreSet() throws {
        let text = String(decoding: JSONTableCodec.encode(try SampleTables.priced()), as: UTF8.self)
        #expect(text.contains("\"version\" : 2"))
        #expect(
            text.contains(
                """
                    "claude-sonnet-4-5" : {
                      "cacheRead" : 0.3,
                      "cacheWrite" : 3.75,
                      "input" : 3,
                      "output" : 15
                    }
                """))
        #expect(
            text.contains(
                """
                      "limits" : {
                        "tokensPerDay" : 1
                      },
                """))
        let plain = String(decoding: JSONTableCodec.encode(try SampleTables.small()), as: UTF8.self)
        #expect(plain.contains("\"prices\" : {\n\n  },") || plain.contains("\"prices\" : {}"), "\(plain)")
        #expect(!plain.contains("\"limits\""), "unlimited users carry no limits object")
    }

    // MARK: version 1

    @Test func aVersion1BinaryTableStillLoads() throws {
        let bytes = V1Fixture.binary
        #expect(bytes[8] == 1 && bytes[9] == 0, "the fixture is version 1")
        let table = try BinaryTableDecoder.decode(bytes)
        #expect(table == (try SampleTables.small()))
        #expect(table.prices.isEmpty)
        #expect(table.users.allSatisfy { $0.limits.isUnlimited })
        #expect(try TableFile.decode(bytes) == table)
        // Written again, it is a version 2 table with the same content.
        let rewritten = BinaryTableEncoder.encode(table)
        #expect(rewritten[8] == 2)
        #expect(try BinaryTableDecoder.decode(rewritten) == table)
    }

    @Test func aVersion1JSONTableStillLoads() throws {
        #expect(V1Fixture.json.contains("\"version\" : 1"))
        let table = try JSONTableCodec.decode(Array(V1Fixture.json.utf8))
        #expect(table == (try SampleTables.small()))
        #expect(table.prices.isEmpty)
        #expect(table.users.allSatisfy { $0.limits.isUnlimited })
    }

    @Test func aVersion1JSONTableCannotCarryPricesOrLimits() throws {
        let withPrices = V1Fixture.json.replacingOccurrences(
            of: "\"format\" : \"piapi-route-table\",", with: "\"format\" : \"piapi-route-table\", \"prices\" : {},")
        let withLimits = V1Fixture.json.replacingOccurrences(
            of: "\"name\" : \"Bob\",", with: "\"name\" : \"Bob\", \"limits\" : { \"requestsPerMinute\" : 5 },")
        for text in [withPrices, withLimits] {
            #expect(text != V1Fixture.json)
            #expect(throws: TableError.corrupt("a version 1 table carries prices or limits")) {
                try JSONTableCodec.decode(Array(text.utf8))
            }
        }
    }

    /// The version field is outside the checksum: a version 2 file relabelled as version 1
    /// must still fail, not be misread.
    @Test(arguments: [false, true])
    func aVersion2TableRelabelledAsVersion1IsRejected(priced: Bool) throws {
        var bytes = BinaryTableEncoder.encode(try priced ? SampleTables.priced() : SampleTables.small())
        bytes[8] = 1
        #expect(throws: TableError.self) { try BinaryTableDecoder.decode(bytes) }
    }

    // MARK: nonsense refused on load

    static let badPrices: [ModelPrice] = [
        ModelPrice(input: -1, output: 15, cacheRead: 0.3, cacheWrite: 3.75),
        ModelPrice(input: 3, output: -0.5, cacheRead: 0.3, cacheWrite: 3.75),
        ModelPrice(input: 3, output: 15, cacheRead: .nan, cacheWrite: 3.75),
        ModelPrice(input: 3, output: 15, cacheRead: 0.3, cacheWrite: .infinity),
        ModelPrice(input: -.infinity, output: 15, cacheRead: 0.3, cacheWrite: 3.75),
    ]

    @Test(arguments: badPrices)
    func aNegativeOrNonFinitePriceIsRefused(price: ModelPrice) throws {
        #expect(throws: TableError.self) { try RouteTable(targets: [], users: [], prices: ["m": price]) }
    }

    @Test(arguments: ["", " gpt-4o", "gpt 4o", "gpt-4o\n", "gpt\u{7F}"])
    func aBadModelNameIsRefused(model: String) throws {
        #expect(throws: TableError.self) {
            try RouteTable(
                targets: [], users: [], prices: [model: ModelPrice(input: 1, output: 1, cacheRead: 1, cacheWrite: 1)])
        }
    }

    static let badLimits: [UserLimits] = [
        UserLimits(requestsPerMinute: 0),
        UserLimits(concurrentRequests: -1),
        UserLimits(tokensPerDay: UserLimits.maxCount + 1),
        UserLimits(tokensPerMonth: Int.min),
        UserLimits(usdPerDay: 0),
        UserLimits(usdPerDay: -5),
        UserLimits(usdPerMonth: .nan),
        UserLimits(usdPerMonth: .infinity),
    ]

    @Test(arguments: badLimits)
    func aZeroNegativeOrNonFiniteLimitIsRefused(limits: UserLimits) throws {
        let user = UserRoutes(keyDigest: KeyDigest(ofKey: "k"), name: "u", routes: [], limits: limits)
        #expect(throws: TableError.self) { try RouteTable(targets: [], users: [user]) }
    }

    @Test(arguments: [
        ("\"input\" : 3,", "\"input\" : -3,"),
        ("\"input\" : 3,", "\"input\" : \"3\","),
        ("\"input\" : 3,", "\"input\" : 1e999,"),
        ("\"requestsPerMinute\" : 60", "\"requestsPerMinute\" : 0"),
        ("\"requestsPerMinute\" : 60", "\"requestsPerMinute\" : 1.5"),
        ("\"usdPerMonth\" : 200", "\"usdPerMonth\" : 0"),
        ("\"usdPerMonth\" : 200", "\"usdPerMonth\" : -200"),
        ("\"tokensPerDay\" : 1", "\"tokensPerDay\" : 9007199254740992"),
    ])
    func aHandEditedJSONTableWithNonsenseIsRefused(old: String, new: String) throws {
        let good = String(decoding: JSONTableCodec.encode(try SampleTables.priced()), as: UTF8.self)
        #expect(good.contains(old), "the edit must apply")
        #expect(throws: TableError.self) {
            try JSONTableCodec.decode(Array(good.replacingOccurrences(of: old, with: new).utf8))
        }
    }

    /// Rewrites the binary payload with a fresh checksum, so only the content checks stand in the way.
    private func rechecksummed(_ edit: (inout [UInt8]) throws -> Void) throws -> [UInt8] {
        var payload = Array(BinaryTableEncoder.encode(try SampleTables.priced())[BinaryFormat.headerSize...])
        try edit(&payload)
        return BinaryTableEncoder.header(for: payload) + payload
    }

    @Test func aRechecksummedBinaryTableWithNonsenseIsRefused() throws {
        func bits(_ value: Double) -> [UInt8] { withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
        func count(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
        let edits: [(String, (inout [UInt8]) throws -> Void)] = [
            (
                "negative price",
                { p in p.replaceSubrange(try #require(p.firstRange(of: bits(3.75))), with: bits(-3.75)) }
            ),
            ("NaN price", { p in p.replaceSubrange(try #require(p.firstRange(of: bits(3.75))), with: bits(.nan)) }),
            (
                "infinite price",
                { p in p.replaceSubrange(try #require(p.firstRange(of: bits(15))), with: bits(.infinity)) }
            ),
            ("zero USD limit", { p in p.replaceSubrange(try #require(p.firstRange(of: bits(200))), with: bits(0)) }),
            (
                "zero count limit",
                { p in p.replaceSubrange(try #require(p.firstRange(of: count(20_000_000))), with: count(0)) }
            ),
            (
                "count beyond Int",
                { p in p.replaceSubrange(try #require(p.firstRange(of: count(20_000_000))), with: count(.max)) }
            ),
            (
                "count beyond maxCount",
                { p in
                    p.replaceSubrange(
                        try #require(p.firstRange(of: count(20_000_000))), with: count(UInt64(UserLimits.maxCount) + 1))
                }
            ),
        ]
        for (name, edit) in edits {
            let bytes = try rechecksummed(edit)
            #expect(throws: TableError.self, "\(name)") { try BinaryTableDecoder.decode(bytes) }
        }
    }

    @Test func unknownLimitBitsAreRefused() throws {
        // Bob's limits: mask 0b100 (tokensPerDay) then the count 1.
        let bobMask: [UInt8] = [0b100, 1, 0, 0, 0, 0, 0, 0, 0]
        let bytes = try rechecksummed { p in
            let range = try #require(p.firstRange(of: bobMask))
            p[range.lowerBound] = 0b1000_0100
        }
        #expect(throws: TableError.corrupt("unknown limits")) { try BinaryTableDecoder.decode(bytes) }
    }

    @Test func limitFieldsKeepTheirConfigNames() {
        #expect(
            UserLimits.Field.allCases.map(\.name) == [
                "requestsPerMinute", "concurrentRequests", "tokensPerDay", "tokensPerMonth", "usdPerDay", "usdPerMonth",
            ])
        #expect(UserLimits.Field.allCases.filter(\.isUSD) == [.usdPerDay, .usdPerMonth])
        var limits = UserLimits.unlimited
        limits[count: .concurrentRequests] = 3
        limits[usd: .usdPerDay] = 2.5
        limits[count: .usdPerDay] = 7
        #expect(limits == UserLimits(concurrentRequests: 3, usdPerDay: 2.5))
        #expect(limits.isSet(.usdPerDay) && !limits.isSet(.usdPerMonth) && !limits.isUnlimited)
    }

    /// What the FuzzTableDecode target checks, on every single-byte change of a re-checksummed
    /// payload: whatever still decodes survives a binary and a JSON round trip unchanged
    /// (prices as doubles in both encodings included).
    @Test func whateverDecodesRoundTripsInBothFormats() throws {
        let payload = Array(BinaryTableEncoder.encode(try SampleTables.priced())[BinaryFormat.headerSize...])
        var decoded = 0
        for offset in payload.indices {
            for mask: UInt8 in [0x01, 0x80] {
                var altered = payload
                altered[offset] ^= mask
                guard let table = try? BinaryTableDecoder.decode(BinaryTableEncoder.header(for: altered) + altered)
                else { continue }
                decoded += 1
                #expect(
                    try BinaryTableDecoder.decode(BinaryTableEncoder.encode(table)) == table, "byte \(offset) ^ \(mask)"
                )
                #expect(try JSONTableCodec.decode(JSONTableCodec.encode(table)) == table, "byte \(offset) ^ \(mask)")
            }
        }
        #expect(decoded > 0, "some changes (a price's low bits, a name's letter) still make a valid table")
    }
}
