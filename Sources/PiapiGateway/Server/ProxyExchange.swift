import NIOCore
import RouteTable

/// One proxied request in flight: what it was routed to, how far its body has gone
/// upstream, and the figures its `RequestRecord` is filled from.
final class ProxyExchange {
    let head: RequestHead
    let rest: Range<Int>
    let requestID: String
    let started: NIODeadline
    let user: String
    let serviceType: String
    var target: PreparedTarget?
    var requestFraming: BodyFraming
    var upstream: UpstreamConnection?
    var requestBodyDone: Bool
    var responseStatus = 0
    var responseStarted = false
    var closeClientAfter: Bool
    var bytesIn = 0
    var bytesOut = 0
    var upstreamSentAt: NIODeadline?
    /// Already resent once after a reused connection failed.
    var retried = false

    init(head: RequestHead, rest: Range<Int>, requestID: String, started: NIODeadline, user: String, serviceType: String) {
        self.head = head
        self.rest = rest
        self.requestID = requestID
        self.started = started
        self.user = user
        self.serviceType = serviceType
        requestFraming = head.framing
        requestBodyDone = head.framing.isComplete
        closeClientAfter = !head.keepAlive
    }

    /// The record handed to Telemetry: names only, never a credential.
    func record(status: Int, error: String?) -> RequestRecord {
        var record = RequestRecord(requestID: requestID, method: head.string(head.method), path: head.string(head.path),
                                   status: status, latencySeconds: Self.seconds(since: started),
                                   bytesIn: bytesIn, bytesOut: bytesOut)
        record.user = user
        record.serviceType = serviceType
        record.upstreamProvider = target?.provider
        record.upstreamKey = target?.keyName
        record.error = error
        return record
    }

    static func seconds(since start: NIODeadline) -> Double {
        Double((NIODeadline.now() - start).nanoseconds) / 1e9
    }
}
