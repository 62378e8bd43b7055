import Testing

@testable import RouteTable

/// A table edited by hand (JSON) or rewritten with a fresh checksum (binary) must not be able
/// to put extra header lines, a broken request line or a bad Host on the wire.
@Suite struct WireCheckTests {
    /// Each edit, applied to the JSON of `SampleTables.small()`, breaks one string that reaches the wire.
    static let jsonEdits: [(String, String)] = [
        ("\"Bearer sk-alpha-secret\"", "\"Bearer sk-alpha-secret\\r\\nX-Injected: yes\""),
        ("\"Bearer sk-alpha-secret\"", "\"Bearer sk-alpha-secret\\r\""),
        ("\"Bearer sk-alpha-secret\"", "\"\""),
        ("\"literal\" : \"sk%2Bbeta-\"", "\"literal\" : \"sk beta&x=1\""),
        ("\"host\" : \"api.provider-alpha.com\"", "\"host\" : \"api.provider-alpha.com evil\""),
        ("\"host\" : \"api.provider-alpha.com\"", "\"host\" : \"api.provider-alpha.com\\r\\nX-Injected: yes\""),
        ("\"host\" : \"api.provider-alpha.com\"", "\"host\" : \"\""),
        ("\"name\" : \"x-api-key\"", "\"name\" : \"x-api-key:\""),
        ("\"name\" : \"x-api-key\"", "\"name\" : \"x-api-key: yes\\r\\nX-Injected\""),
        ("\"name\" : \"x-api-key\"", "\"name\" : \"\""),
        ("\"name\" : \"api_key\"", "\"name\" : \"api_key&x\""),
        ("\"basePath\" : \"/v1/engines\"", "\"basePath\" : \"/v1/engines HTTP/1.1\\r\\nX-Injected: yes\""),
        ("\"basePath\" : \"/v1/engines\"", "\"basePath\" : \"v1\""),
        ("\"baseQuery\" : \"tier=pro\"", "\"baseQuery\" : \"tier=pro x\""),
        ("\"port\" : 443", "\"port\" : 0"),
    ]

    @Test(arguments: jsonEdits.indices)
    func aHandEditedJSONTableCannotInject(edit: Int) throws {
        let (old, new) = Self.jsonEdits[edit]
        let good = String(decoding: JSONTableCodec.encode(try SampleTables.small()), as: UTF8.self)
        #expect(good.contains(old), "the edit must apply")
        let error = try #require(throws: TableError.self) {
            try JSONTableCodec.decode(Array(good.replacingOccurrences(of: old, with: new).utf8))
        }
        #expect(!error.description.contains("sk-alpha") && !error.description.contains("Injected"), "nothing is quoted")
        #expect(!error.description.contains("\n") && !error.description.contains("\r"), "one line")
    }

    /// Each swap keeps the length, so the rest of the binary table stays well formed.
    @Test(arguments: [
        ("Bearer sk-alpha-secret", "Bearer sk\r\nX-Inject: y"),
        ("api.provider-alpha.com", "api.provider alpha.com"),
        ("x-api-key", "x-api:key"),
        ("/v1/claude", "/v1\r\nX: ab"),
        ("tier=pro", "tier=p\no"),
    ])
    func aRechecksummedBinaryTableCannotInject(old: String, new: String) throws {
        try #require(old.utf8.count == new.utf8.count)
        let bytes = BinaryTableEncoder.encode(try SampleTables.small())
        var payload = Array(bytes[BinaryFormat.headerSize...])
        let range = try #require(payload.firstRange(of: Array(old.utf8)))
        payload.replaceSubrange(range, with: Array(new.utf8))
        let error = try #require(throws: TableError.self) {
            try BinaryTableDecoder.decode(BinaryTableEncoder.header(for: payload) + payload)
        }
        #expect(!error.description.contains("sk-alpha") && !error.description.contains("Inject"), "nothing is quoted")
        #expect(!error.description.contains("\n") && !error.description.contains("\r"), "one line")
    }

    /// A header the gateway manages must not carry the key: `Content-Length: <key>` would
    /// reframe the request. The list is the compiler's (`Injection.reservedHeaderNames`).
    @Test(arguments: [
        "Host", "content-length", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "TE",
        "Trailer", "Upgrade", "Proxy-Connection",
    ])
    func aTableCannotPutTheKeyInAManagedHeader(name: String) throws {
        var target = SampleTables.alphaClaude
        target.injection.name = name
        #expect(throws: TableError.self) { try RouteTable(targets: [target], users: []) }

        let good = String(decoding: JSONTableCodec.encode(try SampleTables.small()), as: UTF8.self)
        let edited = good.replacingOccurrences(of: "\"name\" : \"x-api-key\"", with: "\"name\" : \"\(name)\"")
        #expect(edited != good)
        let error = try #require(throws: TableError.self) { try JSONTableCodec.decode(Array(edited.utf8)) }
        #expect(error.description.contains("header name the gateway manages"), "\(error)")

        // The same edit in a binary table given a fresh checksum: rewrite the string's length and bytes.
        let bytes = BinaryTableEncoder.encode(try SampleTables.small())
        var payload = Array(bytes[BinaryFormat.headerSize...])
        let old = [9, 0, 0, 0] + Array("x-api-key".utf8)
        let range = try #require(payload.firstRange(of: old))
        payload.replaceSubrange(range, with: [UInt8(name.utf8.count), 0, 0, 0] + Array(name.utf8))
        #expect(throws: TableError.self) {
            try BinaryTableDecoder.decode(BinaryTableEncoder.header(for: payload) + payload)
        }
    }

    @Test func theCompilerAndTheTableShareOneList() {
        #expect(Injection.reservedHeaderNames.allSatisfy { $0 == $0.lowercased() })
        #expect(Injection.isReservedHeader("CONTENT-LENGTH"))
        #expect(!Injection.isReservedHeader("x-api-key"))
        #expect(!Injection.isReservedHeader("Authorization"))
    }
}
