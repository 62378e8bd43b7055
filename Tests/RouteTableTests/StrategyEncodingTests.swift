import Testing

@testable import RouteTable

/// Every strategy survives both encodings; `adaptive_rr` is one more byte value in format
/// version 2, and a byte no build knows is still refused.
@Suite struct StrategyEncodingTests {
    private func table(_ strategy: Route.Strategy) throws -> RouteTable {
        try RouteTable(
            targets: [SampleTables.betaCodex, SampleTables.alphaCodex],
            users: [
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: "piapi-user-alice"), name: "Alice",
                    routes: [
                        Route(
                            service: "codex", strategy: strategy,
                            candidates: [.init(target: 1, weight: 3), .init(target: 0)])
                    ])
            ])
    }

    @Test func theStrategiesKeepTheirNamesAndBytes() {
        #expect(
            Route.Strategy.allCases.map(\.name) == [
                "failover", "round_robin", "weighted_rr", "sticky_healthy", "adaptive_rr",
            ])
        #expect(Route.Strategy.allCases.map(\.rawValue) == [0, 1, 2, 3, 4])
        #expect(Route.Strategy(name: "adaptive_rr") == .adaptiveRoundRobin)
    }

    @Test(arguments: Route.Strategy.allCases)
    func everyStrategyRoundTripsInBothFormats(strategy: Route.Strategy) throws {
        let table = try table(strategy)
        let binary = BinaryTableEncoder.encode(table)
        #expect(Array(binary[8..<10]) == [2, 0], "still format version 2")
        #expect(try BinaryTableDecoder.decode(binary) == table)
        let json = JSONTableCodec.encode(table)
        #expect(String(decoding: json, as: UTF8.self).contains("\"strategy\" : \"\(strategy.name)\""))
        #expect(try JSONTableCodec.decode(json) == table)
    }

    @Test func aStrategyByteBeyondTheKnownOnesIsRefused() throws {
        let good = BinaryTableEncoder.encode(try table(.adaptiveRoundRobin))
        var payload = Array(good[BinaryFormat.headerSize...])
        // The route: service id (u32), strategy byte 4, candidate count 2 (u16), then the first
        // candidate (targets are renumbered in the table's order): target 0, weight 3.
        let marker: [UInt8] = [4, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0]
        let at = try #require(payload.firstRange(of: marker)).lowerBound
        payload[at] = 5
        #expect(throws: TableError.corrupt("unknown strategy")) {
            try BinaryTableDecoder.decode(BinaryTableEncoder.header(for: payload) + payload)
        }
        let json = String(decoding: JSONTableCodec.encode(try table(.adaptiveRoundRobin)), as: UTF8.self)
        #expect(throws: TableError.self) {
            try JSONTableCodec.decode(
                Array(json.replacingOccurrences(of: "\"adaptive_rr\"", with: "\"adaptive\"").utf8))
        }
    }
}
