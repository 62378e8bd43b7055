import Foundation
import PiapiLedger

/// Telemetry that does not follow WebSocket sessions (test recorders) ignores them.
extension Telemetry {
    public func webSocketOpened(serviceType: String) {}
    public func webSocketBytes(serviceType: String, fromClient: Int, fromUpstream: Int) {}
    public func webSocketResponseCompleted(_ record: RequestRecord) {}
    public func webSocketClosed(_ record: WebSocketSessionRecord) {}
}

/// The production side of a session: the §11 series, and each completed response counted
/// like a finished HTTP response (token metrics, a ledger row, the admin records) without a
/// request log line of its own; the session's one line is written when it ends.
extension GatewayTelemetry {
    public func webSocketOpened(serviceType: String) {
        webSockets.opened(serviceType: serviceType)
    }

    public func webSocketBytes(serviceType: String, fromClient: Int, fromUpstream: Int) {
        webSockets.bytes(serviceType: serviceType, fromClient: fromClient, fromUpstream: fromUpstream)
    }

    public func webSocketResponseCompleted(_ record: RequestRecord) {
        countUsage(record)
        ledger?.enqueue(LedgerRow(record, time: Date()))
        // The admin records pair a start with each finish (their in-flight count).
        observer?.requestStarted()
        observer?.requestFinished(record, tableHash: record.tableHash ?? "")
    }

    public func webSocketClosed(_ record: WebSocketSessionRecord) {
        webSockets.closed(serviceType: record.serviceType, reason: record.closeReason)
        requestLog.write(webSocket: record)
    }
}
