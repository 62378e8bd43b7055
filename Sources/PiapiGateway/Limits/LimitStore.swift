import NIOConcurrencyHelpers
import NIOCore
import RouteTable

/// The limit counters of every user on this replica, shared by all event loops: one short
/// lock round when a request is admitted and one when it ends.
///
/// Counters are kept per user key digest, so a reload keeps the counters of every user whose
/// key is unchanged (a renamed user keeps theirs; a new key starts afresh).
public final class LimitStore: @unchecked Sendable {
    private let lock = NIOLock()
    private var counters: [KeyDigest: UserLimitCounters] = [:]
    private let clock: FailoverClock

    public init(clock: FailoverClock = .system) {
        self.clock = clock
    }

    /// Checks a request of `user` against `limits`; an admitted request counts until `finish`.
    public func admit(_ user: KeyDigest, limits: UserLimits) -> LimitDecision {
        let monotonic = Self.seconds(clock.now())
        let wall = clock.wallSeconds()
        return lock.withLock {
            counters[user, default: UserLimitCounters()].admit(limits, monotonic: monotonic, wall: wall)
        }
    }

    /// An admitted request of `user` ended, having used `tokens` (the four input/output
    /// kinds) costing `usd`.
    public func finish(_ user: KeyDigest, tokens: Int, usd: Double) {
        let wall = clock.wallSeconds()
        lock.withLock { counters[user]?.finish(tokens: tokens, usd: usd, wall: wall) }
    }

    /// Adds `tokens` and `usd` to the budgets of `user` without ending a request: each
    /// response completed inside a WebSocket session, whose slot is held until it closes.
    public func charge(_ user: KeyDigest, tokens: Int, usd: Double) {
        let wall = clock.wallSeconds()
        lock.withLock { counters[user]?.add(tokens: tokens, usd: usd, wall: wall) }
    }

    /// Takes the ledger's totals (by user name, as the ledger keeps them) for the day and
    /// month holding `asOf` (seconds since 1970) into the budgets of the users of `table`.
    public func seed(_ totals: [String: BudgetTotals], asOf: Double, table: RouteTable) {
        let wall = clock.wallSeconds()
        lock.withLock {
            for user in table.users {
                counters[user.keyDigest, default: UserLimitCounters()]
                    .seed(totals[user.name] ?? BudgetTotals(), asOf: asOf, wall: wall)
            }
        }
    }

    /// After a reload: forgets the counters of keys the new table no longer has.
    public func keep(usersOf table: RouteTable) {
        let digests = Set(table.users.map(\.keyDigest))
        lock.withLock { counters = counters.filter { digests.contains($0.key) } }
    }

    /// A user's current use, for the admin side: in flight, requests in the last minute,
    /// and the day's and month's spend.
    public func usage(of user: KeyDigest) -> (inFlight: Int, lastMinute: Int, spent: BudgetTotals)? {
        let monotonic = Self.seconds(clock.now())
        return lock.withLock {
            counters[user].map { ($0.inFlight, $0.minute.count(at: monotonic), $0.spent) }
        }
    }

    private static func seconds(_ deadline: NIODeadline) -> Double {
        Double(deadline.uptimeNanoseconds) / 1e9
    }
}
