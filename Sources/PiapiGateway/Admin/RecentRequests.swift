/// One finished request as `/api/requests` shows it: the log line's fields.
///
/// A class, because every request's record is stored here on the hot path: the ring then
/// holds one reference per request instead of a copy of the record's two dozen fields (as a
/// struct, copying it in and releasing the one it overwrote was 3–4 % of the gateway's CPU
/// with the admin listener on).
public final class RecentRequest: Sendable {
    public let record: RequestRecord
    /// Seconds since 1970 when it finished.
    public let finishedAt: Double
    /// The table it was routed with, as a hash prefix.
    public let table: String
    public let usage: RecordedUsage?

    public init(record: RequestRecord, finishedAt: Double, table: String, usage: RecordedUsage? = nil) {
        self.record = record
        self.finishedAt = finishedAt
        self.table = table
        self.usage = usage
    }
}

/// Which recent requests `/api/requests` returns.
public struct RecentRequestFilter: Sendable, Equatable {
    public var user: String?
    public var service: String?
    /// An exact status (`429`) or a class (`5xx`).
    public var status: String?
    public var limit: Int

    public init(user: String? = nil, service: String? = nil, status: String? = nil, limit: Int = 100) {
        self.user = user
        self.service = service
        self.status = status
        self.limit = limit
    }

    /// Whether `status` is a valid filter value.
    public static func isValidStatus(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 3, (UInt8(ascii: "1")...UInt8(ascii: "5")).contains(bytes[0]) else { return false }
        if bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X") {
            return bytes[2] == UInt8(ascii: "x") || bytes[2] == UInt8(ascii: "X")
        }
        return bytes[1...].allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    func matches(_ request: RecentRequest) -> Bool {
        if let user, request.record.user != user { return false }
        if let service, request.record.serviceType != service { return false }
        if let status {
            let lower = status.lowercased()
            if lower.hasSuffix("xx") {
                guard let first = lower.first?.wholeNumberValue, request.record.status / 100 == first else {
                    return false
                }
            } else if Int(lower) != request.record.status {
                return false
            }
        }
        return true
    }
}

/// A fixed-size ring of the most recent requests; the oldest is overwritten.
struct RecentRequests: Sendable {
    let capacity: Int
    private var storage: [RecentRequest] = []
    private var next = 0

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        storage.reserveCapacity(min(self.capacity, 4096))
    }

    mutating func append(_ request: RecentRequest) {
        guard capacity > 0 else { return }
        if storage.count < capacity {
            storage.append(request)
        } else {
            storage[next] = request
        }
        next = (next + 1) % capacity
    }

    var count: Int { storage.count }

    /// Up to `filter.limit` matching requests, newest first.
    func newestFirst(_ filter: RecentRequestFilter) -> [RecentRequest] {
        var result: [RecentRequest] = []
        guard !storage.isEmpty, filter.limit > 0 else { return result }
        var index = (next - 1 + storage.count) % storage.count
        for _ in 0..<storage.count {
            let request = storage[index]
            if filter.matches(request) {
                result.append(request)
                if result.count == filter.limit { break }
            }
            index = (index - 1 + storage.count) % storage.count
        }
        return result
    }
}
