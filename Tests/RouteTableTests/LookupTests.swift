import RouteTable
import Testing

@Suite struct LookupTests {
    @Test func routesArePerUserAndPerService() throws {
        let table = try SampleTables.small()
        let alice = KeyDigest(ofKey: "piapi-user-alice")
        let bob = KeyDigest(ofKey: "piapi-user-bob")
        #expect(table.lookup(digest: alice, service: "claude_code")?.route.candidates.count == 1)
        #expect(table.lookup(digest: bob, service: "claude_code") == nil)
        #expect(table.lookup(digest: bob, service: "codex")?.user.name == "Bob")
        #expect(table.lookup(digest: KeyDigest(ofKey: "piapi-user-carol"), service: "codex") == nil)
        #expect(table.lookup(digest: alice, service: Substring("codex")) != nil)
        #expect(table.routeCount == 3)
        #expect(table.environmentVariables == ["ALPHA_BACKUP_KEY", "BETA_SUFFIX"])
    }

    @Test func tablesRefuseBrokenInvariants() throws {
        let digest = KeyDigest(ofKey: "k")
        #expect(throws: TableError.self) {
            try RouteTable(
                targets: [],
                users: [
                    UserRoutes(
                        keyDigest: digest, name: "u",
                        routes: [
                            Route(service: "codex", candidates: [.init(target: 0)])
                        ])
                ])
        }
        #expect(throws: TableError.self) {
            try RouteTable(
                targets: [SampleTables.alphaCodex],
                users: [
                    UserRoutes(
                        keyDigest: digest, name: "u",
                        routes: [
                            Route(service: "codex", candidates: [])
                        ])
                ])
        }
        #expect(throws: TableError.self) {
            try RouteTable(
                targets: [SampleTables.alphaCodex],
                users: [
                    UserRoutes(
                        keyDigest: digest, name: "u", routes: [Route(service: "codex", candidates: [.init(target: 0)])]),
                    UserRoutes(
                        keyDigest: digest, name: "v", routes: [Route(service: "codex", candidates: [.init(target: 0)])]),
                ])
        }
        #expect(throws: TableError.self) {
            try RouteTable(targets: [SampleTables.alphaCodex, SampleTables.alphaCodex], users: [])
        }
    }

    @Test func digestsRoundTripThroughHex() throws {
        let digest = KeyDigest(ofKey: "abc")
        #expect(digest.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(KeyDigest(hex: digest.hex) == digest)
        #expect(KeyDigest(hex: digest.hex.uppercased()) == digest)
        #expect(KeyDigest(hex: "zz") == nil)
        #expect(KeyDigest(bytes: digest.bytes) == digest)
    }
}
