import NIOConcurrencyHelpers
import PiapiGateway

/// A `Telemetry` that keeps what the proxy reports, so tests can check the request records.
final class RecordingTelemetry: Telemetry {
    private let state = NIOLockedValueBox<
        (started: Int, firstBytes: Int, records: [RequestRecord], rejections: [LimitKind])
    >(
        (0, 0, [], []))
    private let webSocketState = NIOLockedValueBox<[RequestRecord]>([])

    func requestStarted() { state.withLockedValue { $0.started += 1 } }
    func upstreamFirstByte(serviceType: String, seconds: Double) { state.withLockedValue { $0.firstBytes += 1 } }
    func requestFinished(_ record: RequestRecord) { state.withLockedValue { $0.records.append(record) } }
    func limitRejected(user: String, limit: LimitKind) { state.withLockedValue { $0.rejections.append(limit) } }
    func metricsText() -> String { "piapi_test_metric 1\n" }
    func webSocketResponseCompleted(_ record: RequestRecord) { webSocketState.withLockedValue { $0.append(record) } }

    var records: [RequestRecord] { state.withLockedValue { $0.records } }
    var started: Int { state.withLockedValue { $0.started } }
    var firstBytes: Int { state.withLockedValue { $0.firstBytes } }
    var rejections: [LimitKind] { state.withLockedValue { $0.rejections } }
    /// The record of each response read from a WebSocket session.
    var webSocketResponses: [RequestRecord] { webSocketState.withLockedValue { $0 } }
}
