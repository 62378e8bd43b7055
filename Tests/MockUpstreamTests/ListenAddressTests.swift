import MockUpstream
import Testing

@Suite struct ListenAddressTests {
    @Test func parsesHostAndPort() {
        #expect(ListenAddress(parsing: "127.0.0.1:9201") == ListenAddress(host: "127.0.0.1", port: 9201))
        #expect(ListenAddress(parsing: "localhost:0") == ListenAddress(host: "localhost", port: 0))
    }

    @Test func emptyHostMeansLoopback() {
        #expect(ListenAddress(parsing: ":8080") == ListenAddress(host: "127.0.0.1", port: 8080))
    }

    @Test func bracketedIPv6() {
        let address = ListenAddress(parsing: "[::1]:9000")
        #expect(address == ListenAddress(host: "::1", port: 9000))
        #expect(address?.description == "[::1]:9000")
    }

    @Test(arguments: ["", "9201", "host:", "host:port", "host:70000", "host:-1", "host:+5", "a b:80"])
    func rejectsMalformed(text: String) {
        #expect(ListenAddress(parsing: text) == nil)
    }
}
