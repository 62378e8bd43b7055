import NIOCore

/// The one place a client request's `RequestRecord` is made, for every way a request ends:
/// a head that could not be read, an answer the gateway gave itself, or a proxied exchange.
/// Names only, never a credential.
enum RequestRecordBuilder {
    /// An answer the gateway gave without an upstream. `head` is nil when the head could not
    /// be parsed (method and path are then empty); `started` is nil when not even a head was
    /// framed (the latency is then 0).
    static func local(
        requestID: String, head: RequestHead?, started: NIODeadline?, status: Int, error: String?,
        user: String? = nil, service: String? = nil, bytesOut: Int = 0
    ) -> RequestRecord {
        var record = RequestRecord(
            requestID: requestID, method: head.map { $0.string($0.method) } ?? "",
            path: head.map { $0.string($0.path) } ?? "", status: status,
            latencySeconds: started.map(seconds(since:)) ?? 0, bytesOut: bytesOut)
        record.user = user
        record.serviceType = service
        record.error = error
        return record
    }

    /// A proxied exchange. `complete`: the response body reached its end (else the usage
    /// seen so far is marked partial). The table hash is the one the request was routed with.
    static func proxied(_ exchange: ProxyExchange, status: Int, error: String?, complete: Bool) -> RequestRecord {
        var record = RequestRecord(
            requestID: exchange.requestID, method: exchange.head.string(exchange.head.method),
            path: exchange.head.string(exchange.head.path), status: status,
            latencySeconds: seconds(since: exchange.started), bytesIn: exchange.state.bytesIn,
            bytesOut: exchange.state.bytesOut)
        record.user = exchange.user
        record.serviceType = exchange.serviceType
        record.upstreamProvider = exchange.target?.provider
        record.upstreamKey = exchange.target?.keyName
        record.error = error
        record.attempts = exchange.state.plan.attempts
        record.tableHash = exchange.prepared.serving.hash
        record.ttfbSeconds = exchange.state.ttfbSeconds
        let credential = exchange.credential
        if let usage = exchange.usageTap?.finish(complete: complete).hidingCredential(credential) {
            record.usage = usage
            if let model = usage.model, let price = exchange.prepared.serving.table.price(for: model),
                usage.unknownReason == nil
            {
                record.costUSD = price.cost(
                    input: usage.input ?? 0, output: usage.output ?? 0,
                    cacheRead: usage.cacheRead ?? 0, cacheWrite: usage.cacheWrite ?? 0)
            }
        }
        return record
    }

    static func seconds(since start: NIODeadline) -> Double {
        Double((NIODeadline.now() - start).nanoseconds) / 1e9
    }
}
