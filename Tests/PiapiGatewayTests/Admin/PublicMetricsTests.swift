import Testing

@testable import PiapiGateway

/// `--no-public-metrics`: `RequestPath.classify` makes `/metrics` an unknown path when told
/// to. (The main listener's handler passes `configuration.publicMetrics` to it.)
@Suite struct PublicMetricsTests {
    static func classify(_ path: String, metrics: Bool) -> RequestPath {
        let bytes = Array(path.utf8)
        return bytes.withUnsafeBytes { RequestPath.classify($0, 0..<bytes.count, metrics: metrics) }
    }

    @Test func metricsPathFollowsTheFlag() {
        #expect(Self.classify("/metrics", metrics: true) == .metrics)
        #expect(Self.classify("/metrics", metrics: false) == .notFound)
        #expect(Self.classify("/healthz", metrics: false) == .healthz)
        #expect(Self.classify("/piapi/codex/x", metrics: false) == .proxy(service: 7..<12, rest: 12..<14))
    }

    @Test func flagDefaultsOn() {
        #expect(GatewayConfiguration().publicMetrics)
        #expect(GatewayConfiguration().admin == nil)
    }
}
