/// The one JSON log line of a WebSocket session, written when it ends (`"message":"websocket"`)
/// through the request log's sink, in the same format. Names and counts only.
extension RequestLogWriter {
    func write(webSocket record: WebSocketSessionRecord) {
        guard isEnabled else { return }
        sink.write(line: Self.line(forWebSocket: record))
    }

    static func line(forWebSocket record: WebSocketSessionRecord) -> [UInt8] {
        var line = JSONLine()
        line.timestampField("timestamp")
        line.field("level", level.rawValue)
        line.field("message", "websocket")
        line.field("request_id", record.requestID)
        line.field("path", record.path)
        line.field("user", record.user)
        line.field("service_type", record.serviceType)
        line.field("upstream_provider", record.upstreamProvider)
        line.field("upstream_key", record.upstreamKey)
        line.field("duration_ms", (record.durationSeconds * 1_000_000).rounded() / 1000)
        line.field("bytes_in", record.bytesIn)
        line.field("bytes_out", record.bytesOut)
        line.field("close_reason", record.closeReason.rawValue)
        if let code = record.closeCode { line.field("close_code", Int(code)) }
        line.field("responses", record.responses)
        line.field("table", Substring(record.tableHash.utf8.prefix(tableHashLength)))
        if let usage = record.usage { usageFields(usage, cost: record.costUSD, in: &line) }
        if let reason = record.usageUnknown, record.usage?.unknownReason == nil {
            line.field("usage_unknown", reason.rawValue)
        }
        if let error = record.usageError { line.field("usage_error", error) }
        return line.finished()
    }
}
