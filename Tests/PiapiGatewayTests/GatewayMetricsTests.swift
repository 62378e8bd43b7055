import PiapiGateway
import RouteTable
import Testing

@Suite("GatewayMetrics")
struct GatewayMetricsTests {
    let metrics = GatewayMetrics()
    let table: ServingTable

    init() throws {
        table = try ServingTable(table: try TableFixtures.table(services: ["codex", "claude"]), environment: [:])
        metrics.tableInstalled(table)
    }

    @Test("both reload results are exported at 0 from the start")
    func reloadsStartAtZero() {
        let text = GatewayMetrics().text()
        #expect(sample("piapi_config_reloads_total{result=\"success\"}", in: text) == 0)
        #expect(sample("piapi_config_reloads_total{result=\"failure\"}", in: text) == 0)
        #expect(sample("piapi_requests_in_flight", in: text) == 0)
    }

    @Test("requests are counted by service type and status class, with latency buckets")
    func requestSeries() {
        metrics.requestStarted()
        metrics.requestFinished(serviceType: "codex", status: 200, latencySeconds: 0.03)
        metrics.requestStarted()
        metrics.requestFinished(serviceType: "codex", status: 503, latencySeconds: 0.2)
        metrics.upstreamFirstByte(serviceType: "claude", seconds: 0.5)
        let text = metrics.text()
        #expect(sample("piapi_requests_total{service_type=\"codex\",status_class=\"2xx\"}", in: text) == 1)
        #expect(sample("piapi_requests_total{service_type=\"codex\",status_class=\"5xx\"}", in: text) == 1)
        #expect(sample("piapi_requests_total{service_type=\"claude\",status_class=\"2xx\"}", in: text) == 0)
        #expect(sample("piapi_request_latency_seconds_bucket{service_type=\"codex\",le=\"0.05\"}", in: text) == 1)
        #expect(sample("piapi_request_latency_seconds_bucket{service_type=\"codex\",le=\"+Inf\"}", in: text) == 2)
        #expect(sample("piapi_request_latency_seconds_count{service_type=\"codex\"}", in: text) == 2)
        #expect(sample("piapi_upstream_ttfb_seconds_bucket{service_type=\"claude\",le=\"0.25\"}", in: text) == 0)
        #expect(sample("piapi_upstream_ttfb_seconds_bucket{service_type=\"claude\",le=\"0.5\"}", in: text) == 1)
        #expect(sample("piapi_requests_in_flight", in: text) == 0)
    }

    @Test("a service type no table defines is counted as none, never as the client sent it")
    func unknownServiceIsBounded() {
        metrics.requestFinished(serviceType: "evil-\u{1}\"segment", status: 404, latencySeconds: 0.001)
        metrics.requestFinished(serviceType: nil, status: 404, latencySeconds: 0.001)
        metrics.upstreamFirstByte(serviceType: "made-up", seconds: 0.1)
        let text = metrics.text()
        #expect(sample("piapi_requests_total{service_type=\"none\",status_class=\"4xx\"}", in: text) == 2)
        #expect(!text.contains("evil"))
        #expect(!text.contains("made-up"))
    }

    @Test("statuses outside 100-599 count as status_class other")
    func oddStatus() {
        metrics.requestFinished(serviceType: "codex", status: 0, latencySeconds: 0)
        #expect(sample("piapi_requests_total{service_type=\"codex\",status_class=\"other\"}", in: metrics.text()) == 1)
    }

    @Test("the table's hash and route count are published, and no credential")
    func tableInfoWithoutSecrets() throws {
        let text = metrics.text()
        #expect(sample("piapi_route_table_info{hash=\"\(table.hash)\"}", in: text) == 1)
        #expect(sample("piapi_route_table_routes", in: text) == 2)
        #expect(!text.contains(TableFixtures.literalSecret))
    }
}
