import NIOCore
import PiapiGateway
import Testing

@Suite("Command-line values")
struct ListenAddressTests {
    @Test(
        "accepted --listen spellings",
        arguments: [
            (":9200", "0.0.0.0", 9200), ("127.0.0.1:9200", "127.0.0.1", 9200), ("[::1]:9200", "::1", 9200),
            ("0.0.0.0:9200", "0.0.0.0", 9200), ("localhost:0", "localhost", 0), ("[::]:80", "::", 80),
        ])
    func accepted(text: String, host: String, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address == ListenAddress(host: host, port: port))
        #expect(try ListenAddress(parsing: address.description) == address)
    }

    @Test(
        "refused --listen values",
        arguments: [
            "9200", "", ":", "host:", "host:99999", "host:-1", "host:+1", "::1:9200", "[::1]", "[::1:9200",
            "[]:9200", "a b:1", "[::1]9200", "host:9200x", "host:٣",
        ])
    func refused(text: String) {
        #expect(throws: ListenAddress.ParseError.self) { try ListenAddress(parsing: text) }
    }

    @Test("durations are seconds with fractions; negative or absurd values are refused")
    func seconds() throws {
        #expect(try Seconds.timeAmount(2.5, flag: "--x") == .milliseconds(2500))
        #expect(try Seconds.timeAmount(0, flag: "--x") == .zero)
        for bad in [-1, .infinity, .nan, 1e12] {
            let error = try #require(throws: Seconds.InvalidValue.self) {
                try Seconds.timeAmount(bad, flag: "--drain-timeout")
            }
            #expect(error.description.contains("--drain-timeout"))
        }
    }
}
