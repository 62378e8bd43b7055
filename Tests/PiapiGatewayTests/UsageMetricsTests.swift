import Prometheus
import Testing

@testable import PiapiGateway

@Suite struct UsageMetricsTests {
    @Test func tokensAndCostAreCountedPerUserServiceProviderModelAndKind() {
        let registry = PrometheusCollectorRegistry()
        let metrics = UsageMetrics(registry: registry)
        metrics.record(
            user: "alice", serviceType: "codex", provider: "alpha", model: "gpt-5",
            kinds: [("input", 10), ("output", 5), ("reasoning", 0)], costUSD: 0.25)
        metrics.record(
            user: "alice", serviceType: "codex", provider: "alpha", model: "gpt-5",
            kinds: [("input", 1)], costUSD: nil)
        let text = registry.emitToString()
        #expect(
            text.contains(
                #"piapi_tokens_total{user="alice",service_type="codex",provider="alpha",model="gpt-5",kind="input"} 11"#
            ))
        #expect(
            text.contains(
                #"piapi_tokens_total{user="alice",service_type="codex",provider="alpha",model="gpt-5",kind="output"} 5"#
            ))
        #expect(!text.contains(#"kind="reasoning""#))
        #expect(
            text.contains(
                #"piapi_cost_usd_total{user="alice",service_type="codex",provider="alpha",model="gpt-5"} 0.25"#))
    }

    @Test func modelLabelsAreBoundedWhateverTheUpstreamSays() {
        let registry = PrometheusCollectorRegistry()
        let metrics = UsageMetrics(registry: registry, pricedModels: ["priced-model"])
        for i in 0..<(UsageMetrics.maxModels + 20) {
            metrics.record(
                user: "u", serviceType: "s", provider: "p", model: "m\(i)", kinds: [("input", 1)], costUSD: nil)
        }
        metrics.record(
            user: "u", serviceType: "s", provider: "p", model: "bad\"} 1\nevil", kinds: [("input", 1)], costUSD: nil)
        metrics.record(
            user: "u", serviceType: "s", provider: "p", model: "priced-model", kinds: [("input", 1)], costUSD: nil)
        let text = registry.emitToString()
        #expect(text.contains(#"model="other",kind="input"} 22"#))  // 21 over the bound, 1 not plain
        #expect(!text.contains("evil"))
        #expect(!text.contains(#"model="m\#(UsageMetrics.maxModels - 1)""#))  // the priced model took one of the slots
        #expect(text.contains(#"model="priced-model""#))
    }

    @Test func theUserLabelCanBeLeftOff() {
        let registry = PrometheusCollectorRegistry()
        let metrics = UsageMetrics(registry: registry, userLabel: false)
        metrics.record(
            user: "alice", serviceType: "codex", provider: "alpha", model: "gpt-5", kinds: [("output", 3)], costUSD: nil
        )
        let text = registry.emitToString()
        #expect(
            text.contains(#"piapi_tokens_total{service_type="codex",provider="alpha",model="gpt-5",kind="output"} 3"#))
        #expect(!text.contains("alice"))
    }
}
