import Foundation
import Logging
import PiapiGateway
import Testing

@Suite("Request log line")
struct RequestLogWriterTests {
    let sink = RecordingLogSink()

    static func record() -> RequestRecord {
        var record = RequestRecord(
            requestID: "req-1", method: "POST",
            path: "/piapi/codex/v1/responses?key=sk-client-query-secret",
            status: 201, latencySeconds: 0.012_345_6, bytesIn: 1_234, bytesOut: 56_789)
        record.user = "alice"
        record.serviceType = "codex"
        record.upstreamProvider = "provider-alpha"
        record.upstreamKey = "main-key"
        return record
    }

    @Test("carries every field at the top level, numbers as numbers, the path without its query")
    func fields() throws {
        RequestLogWriter(sink: sink, logLevel: .info).write(
            Self.record(), tableHash: String(repeating: "ab", count: 32))
        let object = try #require(try sink.objects().first)
        #expect(object["level"] as? String == "info")
        #expect(object["message"] as? String == "request")
        #expect(object["timestamp"] is String)
        #expect(object["request_id"] as? String == "req-1")
        #expect(object["method"] as? String == "POST")
        #expect(object["path"] as? String == "/piapi/codex/v1/responses")
        #expect(object["user"] as? String == "alice")
        #expect(object["service_type"] as? String == "codex")
        #expect(object["upstream_provider"] as? String == "provider-alpha")
        #expect(object["upstream_key"] as? String == "main-key")
        #expect(object["status"] as? Int == 201)
        #expect(object["latency_ms"] as? Double == 12.346)
        #expect(object["bytes_in"] as? Int == 1_234)
        #expect(object["bytes_out"] as? Int == 56_789)
        #expect(object["table"] as? String == String(repeating: "ab", count: 6))
        #expect(object["error"] == nil)
        #expect(sink.text.first?.contains("sk-client-query-secret") == false)
    }

    @Test("unknown parts are null and an error is carried")
    func failedRequest() throws {
        var record = RequestRecord(requestID: "req-\"2\"", method: "GET", path: "/nowhere", status: 404)
        record.error = "no route for \"nowhere\"\n"
        RequestLogWriter(sink: sink, logLevel: .debug).write(record, tableHash: "abc")
        let object = try #require(try sink.objects().first)
        #expect(object["request_id"] as? String == "req-\"2\"")
        #expect(object["user"] is NSNull)
        #expect(object["service_type"] is NSNull)
        #expect(object["error"] as? String == "no route for \"nowhere\"\n")
        #expect(object["latency_ms"] as? Int == 0)
    }

    @Test("a log level above info silences request lines")
    func silencedAboveInfo() {
        RequestLogWriter(sink: sink, logLevel: .notice).write(Self.record(), tableHash: "abc")
        #expect(sink.text.isEmpty)
    }

    @Test("GatewayTelemetry logs the request and counts it")
    func telemetry() throws {
        let table = try ServingTable(table: try TableFixtures.table(), environment: [:])
        let metrics = GatewayMetrics()
        metrics.tableInstalled(table)
        let tables = TableStore(table)
        let telemetry = GatewayTelemetry(
            metrics: metrics, requestLog: RequestLogWriter(sink: sink, logLevel: .info),
            tables: tables, candidates: CandidateRouter(tables: tables))
        telemetry.requestStarted()
        #expect(sample("piapi_requests_in_flight", in: telemetry.metricsText()) == 1)
        telemetry.requestFinished(Self.record())
        let text = telemetry.metricsText()
        #expect(sample("piapi_requests_in_flight", in: text) == 0)
        #expect(sample("piapi_requests_total{service_type=\"codex\",status_class=\"2xx\"}", in: text) == 1)
        let object = try #require(try sink.objects().first)
        #expect(object["table"] as? String == String(table.hash.prefix(12)))
        #expect(!text.contains(TableFixtures.literalSecret))
        #expect(sink.text.allSatisfy { !$0.contains(TableFixtures.literalSecret) })
    }
}
