import Testing

@testable import PiapiGateway

/// The injected item taken out of the URLs of `Location`/`Content-Location` and `Link`.
@Suite struct URLQueryItemRemovalTests {
    private static func removing(_ name: String, _ value: String, _ carrier: URLQueryItemRemoval.Carrier) -> String? {
        Array(value.utf8).withUnsafeBytes { b in
            URLQueryItemRemoval.removing(Array(name.utf8), from: b, 0..<b.count, carrier: carrier)
                .map { String(decoding: $0, as: UTF8.self) }
        }
    }

    @Test(
        arguments: [
            ("/x?key=1&a=2", "/x?a=2"),
            ("/x?a=2&key=1", "/x?a=2"),
            ("/x?a=2&key=1&b=3", "/x?a=2&b=3"),
            ("/x?key=1", "/x"),
            ("/x?key", "/x"),
            ("/x?key=1&key=2#f", "/x#f"),
            ("/x?%6Bey=1&a", "/x?a"),
            ("/x#f?key=1", nil),
            ("/x?a=1", nil),
            ("/x?keys=1&akey=2", nil),
            ("/x", nil),
        ] as [(String, String?)])
    func itemsAreRemovedFromOneURI(value: String, expected: String?) {
        #expect(Self.removing("key", value, .uri) == expected)
    }

    @Test(
        arguments: [
            ("</a?key=1>; rel=next, </b?p=2&key=1>; rel=prev", "</a>; rel=next, </b?p=2>; rel=prev"),
            ("</a?p=1>; rel=next, </b?key=1>", "</a?p=1>; rel=next, </b>"),
            ("<x?key=1", "<x"),
            ("</a?p=1>; title=\"?key=1\"", nil),
            ("/a?key=1", nil),
        ] as [(String, String?)])
    func itemsAreRemovedFromEachLinkReference(value: String, expected: String?) {
        #expect(Self.removing("key", value, .link) == expected)
    }
}
