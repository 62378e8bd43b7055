import PiapiTestSupport
import Testing

/// `<rest>` shapes that other servers read as climbing out of the base path (Tomcat and Spring
/// take `..;x` for `..`, IIS takes `\` for `/`) are refused; parameters elsewhere are fine.
@Suite struct PathShapeTests {
    @Test(arguments: [
        "/piapi/codex/..;/admin", "/piapi/codex/a/..;x/b", "/piapi/codex/.;x/admin", "/piapi/codex/a/..;",
        "/piapi/codex/%2e%2e;/admin", "/piapi/codex/%2E.;x/admin", "/piapi/codex/.%2e;jsessionid=1/x",
        "/piapi/codex/..%3b/admin", "/piapi/codex/.%3Bx/admin",
        "/piapi/codex/..\\..\\admin", "/piapi/codex/a\\b", "/piapi/codex/a%5cb", "/piapi/codex/a%5C..%5Cadmin",
    ])
    func climbingShapesOfOtherServersAnswer400(path: String) async throws {
        try await expectRefused("GET \(path) HTTP/1.1\r\n\(aliceAuthorization)\r\n", closes: false)
    }

    @Test(arguments: ["/piapi/codex/a..;b", "/piapi/codex/v1;x/y", "/piapi/codex/...;x/y", "/piapi/codex/;x/..a"])
    func parametersOutsideDotSegmentsAreForwarded(path: String) async throws {
        let stub = try await StubUpstream(responder: echoResponder)
        let gateway = try await GatewayHarness.start(table: GatewayHarness.table(upstreamPort: stub.port))
        let response = try await gateway.request("GET", path, key: GatewayHarness.aliceKey)
        #expect(response.status == 200)
        #expect(stub.received.first?.uri == "/v1" + path.dropFirst("/piapi/codex".count))
        await gateway.stop()
        await stub.close()
    }
}
