import NIOConcurrencyHelpers
import NIOPosix
import Testing

@testable import PiapiGateway

/// `AdminActivity` splits its state by reporting thread; these drive it from two real event
/// loops and check that what the readers merge is what one shared state would have said.
@Suite("Admin activity shards")
struct AdminActivityShardTests {
    private static func record(_ id: String, user: String, status: Int = 200) -> RequestRecord {
        var record = RequestRecord(
            requestID: id, method: "POST", path: "/piapi/codex/v1/x", status: status,
            latencySeconds: 0.01, bytesIn: 1, bytesOut: 2)
        record.user = user
        record.serviceType = "codex"
        return record
    }

    @Test("the ring keeps the newest requests of all loops, not each loop's newest")
    func ringAcrossShards() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let loops = [group.next(), group.next()]
        let clock = NIOLockedValueBox(0.0)
        let activity = AdminActivity(
            recentCapacity: 3, shards: 2, wallSeconds: { clock.withLockedValue { $0 } },
            usageOf: { _ in nil })
        // r0 and r1 on the first loop, r2…r5 on the second: the first loop's ring still holds
        // r0 and r1, yet the last three overall are r3, r4, r5.
        for (index, loop) in [0, 0, 1, 1, 1, 1].enumerated() {
            clock.withLockedValue { $0 = Double(index) }
            try await loops[loop].submit {
                activity.requestStarted()
                activity.requestFinished(Self.record("r\(index)", user: index < 2 ? "dave" : "erin"), tableHash: "ab")
            }.get()
        }
        try await group.shutdownGracefully()
        #expect(activity.recent(RecentRequestFilter()).map(\.record.requestID) == ["r5", "r4", "r3"])
        #expect(activity.recent(RecentRequestFilter(user: "dave")).isEmpty)
        #expect(activity.recent(RecentRequestFilter(limit: 2)).map(\.record.requestID) == ["r5", "r4"])
        #expect(activity.inFlight == 0)
    }

    @Test("two loops reporting at once: every request counted, in flight back to 0")
    func concurrentReports() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let activity = AdminActivity(
            recentCapacity: 10, shards: 2,
            usageOf: { _ in RecordedUsage(model: "m", inputTokens: 1, outputTokens: 2) })
        let perLoop = 5_000
        let reports = (0..<2).map { loop in
            group.next().submit {
                for index in 0..<perLoop {
                    activity.requestStarted()
                    activity.requestFinished(Self.record("\(loop)-\(index)", user: "u\(loop)"), tableHash: "ab")
                }
            }
        }
        for report in reports { try await report.get() }
        try await group.shutdownGracefully()
        let rows = try await activity.usage(PiapiGateway.UsageQuery(by: [.user, .model]))
        #expect(rows.map(\.counts.requests).reduce(0, +) == 2 * perLoop)
        #expect(rows.map(\.counts.outputTokens).reduce(0, +) == 4 * perLoop)
        #expect(Set(rows.compactMap { $0.group[.model] ?? nil }) == ["m"])
        #expect(activity.inFlight == 0)
        #expect(activity.recent(RecentRequestFilter()).count == 10)
    }
}
