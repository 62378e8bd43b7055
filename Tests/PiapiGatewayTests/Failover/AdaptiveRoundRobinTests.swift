import Foundation
import NIOCore
import RouteTable
import Testing

@testable import PiapiGateway

/// `adaptive_rr` (contract §10) driven through the candidate router itself — the code a
/// request goes through, without sockets — with a clock moved by hand: weights shrink with each
/// pair's decaying error rate, never below the floor, and grow back as failures stop.
@Suite struct AdaptiveRoundRobinTests {
    /// One router over one table: user dave routes `codex` over candidates `p<i>`/`k<i>` with
    /// the strategy under test, erin over the same ones with `failover`.
    private struct Driver {
        let clock = ManualClock()
        let router: CandidateRouter
        let tables: TableStore
        let serving: ServingTable
        let targets: [Target]
        let route: Route
        let key = RouteKey(user: "dave", service: "codex")

        init(
            _ strategy: Route.Strategy = .adaptiveRoundRobin, weights: [UInt32], enabled: [Bool]? = nil,
            adaptive: AdaptiveWeighting = .standard
        ) throws {
            targets = weights.indices.map { i in
                Target(
                    provider: "p\(i)", keyName: "k\(i)", serviceType: "codex",
                    upstream: Upstream(scheme: .http, host: "127.0.0.1", port: 9, basePath: "/c\(i)", baseQuery: ""),
                    injection: Injection(
                        mode: .header, name: "Authorization", value: SecretTemplate(literal: "Bearer s\(i)")))
            }
            let chain = weights.enumerated().map {
                Route.Candidate(target: $0.offset, weight: $0.element, enabled: enabled?[$0.offset] ?? true)
            }
            route = Route(service: "codex", strategy: strategy, candidates: chain)
            let table = try RouteTable(
                targets: targets,
                users: [
                    UserRoutes(keyDigest: KeyDigest(ofKey: "dave-key"), name: "dave", routes: [route]),
                    UserRoutes(
                        keyDigest: KeyDigest(ofKey: "erin-key"), name: "erin",
                        routes: [Route(service: "codex", strategy: .failover, candidates: chain)]),
                ])
            serving = try ServingTable(table: table, environment: [:])
            tables = TableStore(serving)
            router = CandidateRouter(tables: tables, clock: clock.failoverClock, adaptive: adaptive)
            // The router takes the table into use (every pair healthy from t = 0), as the first
            // request would.
            _ = router.snapshot(of: serving)
        }

        static func pair(_ position: Int) -> CandidatePair {
            CandidatePair(provider: "p\(position)", key: "k\(position)")
        }

        /// One request: the candidates in the router's order, each tried until one does not
        /// fail; `failure` says how a try at a position fails (nil: it succeeds). Returns the
        /// positions tried.
        @discardableResult
        func request(_ failure: (Int) -> (AttemptOutcome, retryAfter: Double?)? = { _ in nil }) -> [Int] {
            var tried: [Int] = []
            for position in router.order(for: route, key: key, in: serving) {
                tried.append(position)
                let outcome = failure(position)
                router.record(
                    outcome?.0 ?? .ok, retryAfter: outcome?.retryAfter, pair: Self.pair(position), route: key,
                    position: position)
                if outcome == nil { break }
            }
            return tried
        }

        func record(_ outcome: AttemptOutcome, retryAfter: Double? = nil, at position: Int) {
            router.record(outcome, retryAfter: retryAfter, pair: Self.pair(position), route: key, position: position)
        }

        var snapshot: CandidateSnapshot { router.snapshot(of: serving) }

        func errorRate(_ position: Int) -> Double { snapshot.pair(Self.pair(position))?.errorRate ?? -1 }

        func effectiveWeight(_ position: Int, user: String = "dave") -> Double {
            snapshot.route(user: user, service: "codex")?.candidates[position].effectiveWeight ?? -1
        }
    }

    /// A 429 with `Retry-After: 0`: a failure that cools nothing down, so only the error rate
    /// acts on the picks.
    private static let rateLimitedNoWait: (AttemptOutcome, retryAfter: Double?) = (.rateLimited, 0)

    /// `count` requests `step` seconds apart; candidate 1 fails the tries `fails` picks (its
    /// tries are numbered from 0). Returns how many requests went to candidate 1 first.
    private func drive(_ driver: Driver, count: Int, step: Double = 0.1, fails: (Int) -> Bool) -> Int {
        var triesOfOne = 0
        var firstToOne = 0
        for _ in 0..<count {
            driver.clock.advance(seconds: step)
            let tried = driver.request { position in
                guard position == 1 else { return nil }
                defer { triesOfOne += 1 }
                return fails(triesOfOne) ? Self.rateLimitedNoWait : nil
            }
            if tried.first == 1 { firstToOne += 1 }
        }
        return firstToOne
    }

    @Test func aCandidateThatFailsHalfItsTriesSettlesAtAThird() throws {
        // Weights 1:1; candidate 1 fails every other try, so its error rate settles at 0.5 and
        // its effective weight at 1 × max(0.1, 1 − 0.5) = 0.5: a share of 0.5 / (1 + 0.5) = 1/3.
        let driver = try Driver(weights: [1, 1])
        _ = drive(driver, count: 6_000) { $0 % 2 == 1 }  // 600 s = 10 half-lives from a rate of 0
        let share = Double(drive(driver, count: 4_000) { $0 % 2 == 1 }) / 4_000
        #expect(abs(share - 1.0 / 3) < 0.005, "share \(share)")
        #expect(abs(driver.errorRate(1) - 0.5) < 0.01)
        #expect(abs(driver.effectiveWeight(1) - 0.5) < 0.01)
        #expect(driver.errorRate(0) == 0)
        #expect(driver.effectiveWeight(0) == 1)
        #expect(driver.effectiveWeight(1, user: "erin") == 1, "failover shows the configured weight")
    }

    @Test(arguments: [0.1, 0.5])
    func theFloorHolds(floor: Double) throws {
        // Candidate 1 fails every try: its error rate goes to 1, its weight stays at the floor,
        // so it still gets floor / (1 + floor) of the requests (1 in 11 at 0.1, 1 in 3 at 0.5).
        let driver = try Driver(weights: [1, 1], adaptive: AdaptiveWeighting(halfLife: 60, floor: floor))
        _ = drive(driver, count: 6_000) { _ in true }
        let count = drive(driver, count: 4_000) { _ in true }
        #expect(abs(Double(count) - 4_000 * floor / (1 + floor)) <= 1, "count \(count)")
        #expect(driver.errorRate(1) > 0.99)
        #expect(driver.effectiveWeight(1) == floor)
    }

    @Test(arguments: [[3, 1], [5, 1, 1], [2, 7, 1, 4]] as [[UInt32]])
    func withoutFailuresItPicksExactlyAsWeightedRoundRobin(weights: [UInt32]) throws {
        let adaptive = try Driver(.adaptiveRoundRobin, weights: weights)
        let weighted = try Driver(.weightedRoundRobin, weights: weights)
        for _ in 0..<4_000 {
            adaptive.clock.advance(seconds: 0.1)
            weighted.clock.advance(seconds: 0.1)
            #expect(adaptive.request() == weighted.request())
        }
        if weights == [3, 1] {
            #expect(adaptive.effectiveWeight(0) == 3 && adaptive.effectiveWeight(1) == 1)
        }
    }

    @Test func theErrorRateDecaysWithTheHalfLife() throws {
        let driver = try Driver(weights: [1, 1])
        // Failing for T seconds from a rate of 0 gives exactly 1 − 2^(−T/60), however often the
        // pair is tried: candidate 1 fails every second, candidate 0 every 15 s.
        for second in 1...300 {
            driver.clock.advance(seconds: 1)
            driver.record(.serverError, at: 1)
            if second % 15 == 0 { driver.record(.serverError, at: 0) }
        }
        #expect(abs(driver.errorRate(1) - (1 - 1.0 / 32)) < 1e-9)
        #expect(abs(driver.errorRate(0) - (1 - 1.0 / 32)) < 1e-9)
        // Then no tries at all: the rate seen halves every 60 s.
        driver.clock.advance(seconds: 60)
        #expect(abs(driver.errorRate(1) - (1 - 1.0 / 32) / 2) < 1e-9)
        driver.clock.advance(seconds: 60)
        #expect(abs(driver.errorRate(1) - (1 - 1.0 / 32) / 4) < 1e-9)
        #expect(driver.effectiveWeight(1) == 0.758)  // 1 × (1 − 0.2421875), in thousandths
        // A success changes nothing but the time: the decayed value stays.
        driver.record(.ok, at: 1)
        #expect(abs(driver.errorRate(1) - (1 - 1.0 / 32) / 4) < 1e-9)
        #expect(driver.snapshot.pair(Driver.pair(1))?.lastOutcome == .ok)
        // After an hour without tries, one failure counts at most one half-life of failing.
        driver.clock.advance(seconds: 3_600)
        #expect(driver.errorRate(1) < 1e-9)
        driver.record(.serverError, at: 1)
        #expect(abs(driver.errorRate(1) - 0.5) < 1e-9)
        #expect(driver.snapshot.pair(Driver.pair(1))?.lastOutcome == .serverError)
    }

    @Test func recoveryAsFailuresStop() throws {
        let driver = try Driver(weights: [1, 1])
        _ = drive(driver, count: 6_000) { _ in true }
        #expect(driver.effectiveWeight(1) == 0.1)
        // No traffic for two half-lives: the weight is back to 1 − r/4 before any try (r is a
        // little below 1: it has decayed since candidate 1's last try).
        let rate = driver.errorRate(1)
        driver.clock.advance(seconds: 120)
        #expect(abs(driver.errorRate(1) - rate / 4) < 1e-9)
        #expect(driver.effectiveWeight(1) == ((1 - rate / 4) * 1000).rounded() / 1000)
        #expect(driver.effectiveWeight(1) > 0.75 && driver.effectiveWeight(1) < 0.76)
        // Candidate 1 now always succeeds: its share grows minute by minute towards 1/2.
        let shares = (0..<10).map { _ in Double(drive(driver, count: 600) { _ in false }) / 600 }
        #expect(zip(shares, shares.dropFirst()).allSatisfy { $0 <= $1 }, "\(shares)")
        #expect(shares[0] > 0.4 && shares[0] < 0.49, "\(shares)")
        #expect(abs(shares[9] - 0.5) < 0.002, "\(shares)")
        #expect(driver.effectiveWeight(1) > 0.999)
    }

    @Test func aCoolingCandidateIsSkippedWhileItsRateDecaysAndComesBackReduced() throws {
        let driver = try Driver(weights: [1, 1])
        // 300 s of 429s with Retry-After: 10 → error rate 1 − 1/32, cooling until 10 s after the last.
        for _ in 0..<300 {
            driver.clock.advance(seconds: 1)
            driver.record(.rateLimited, retryAfter: 10, at: 1)
        }
        let rate = driver.errorRate(1)
        var beforeCooldownEnds: [[Int]] = []
        for _ in 0..<99 {
            driver.clock.advance(seconds: 0.1)
            beforeCooldownEnds.append(driver.request())
        }
        #expect(beforeCooldownEnds.allSatisfy { $0 == [0] }, "skipped while cooling")
        #expect(abs(driver.errorRate(1) - rate * exp2(-9.9 / 60)) < 1e-9, "its rate kept decaying")
        driver.clock.advance(seconds: 0.2)
        // Back at 1 × max(0.1, 1 − 0.862…) ≈ 0.138: about 1 request in 8, then more as it succeeds.
        #expect(abs(driver.effectiveWeight(1) - 0.138) < 0.001)
        let first = Double(drive(driver, count: 600) { _ in false }) / 600
        #expect(first > 0.15 && first < 0.3, "\(first)")
        let later = (0..<9).map { _ in Double(drive(driver, count: 600) { _ in false }) / 600 }
        #expect(later.allSatisfy { $0 > first })
        #expect(abs(later[8] - 0.5) < 0.005)
    }

    @Test func theSnapshotListsPairsAndRoutesByName() throws {
        let driver = try Driver(weights: [3, 1, 2], enabled: [true, true, false])
        driver.clock.advance(seconds: 30)
        driver.record(.unauthorized, at: 0)
        let snapshot = driver.snapshot
        #expect(snapshot.adaptive == .standard)
        #expect(snapshot.pairs.map(\.pair) == [Driver.pair(0), Driver.pair(1), Driver.pair(2)])
        let p0 = try #require(snapshot.pair(Driver.pair(0)))
        #expect(abs(p0.errorRate - (1 - exp2(-0.5))) < 1e-9)  // 30 s of failing since the start
        #expect(p0.cooldownSeconds == 600)
        #expect(p0.lastOutcome == .unauthorized)
        #expect(snapshot.pair(Driver.pair(1))?.lastOutcome == nil)
        #expect(
            snapshot.routes.map { "\($0.user)/\($0.service)/\($0.strategy.name)" } == [
                "dave/codex/adaptive_rr", "erin/codex/failover",
            ])
        let dave = try #require(snapshot.route(user: "dave", service: "codex"))
        #expect(dave.candidates.map(\.position) == [0, 1, 2])
        #expect(dave.candidates.map(\.weight) == [3, 1, 2])
        #expect(dave.candidates.map(\.enabled) == [true, true, false])
        // 3 × (1 − 0.2928…) = 2.121 (cooling, so skipped for now, but that is its weight); disabled: 0.
        #expect(dave.candidates.map(\.effectiveWeight) == [2.121, 1, 0])
        #expect(snapshot.route(user: "erin", service: "codex")?.candidates.map(\.effectiveWeight) == [3, 1, 0])
    }

    @Test func aReloadKeepsTheRatesOfUnchangedPairsOnly() throws {
        let driver = try Driver(weights: [1, 1, 1])
        driver.clock.advance(seconds: 60)
        for position in 0..<3 { driver.record(.serverError, at: position) }
        // The new table fixes k0's secret and drops p2/k2; p1/k1 stays as it was.
        var targets = driver.targets
        targets[0].injection = Injection(
            mode: .header, name: "Authorization", value: SecretTemplate(literal: "Bearer fixed"))
        let table = try RouteTable(
            targets: Array(targets.prefix(2)),
            users: [
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: "dave-key"), name: "dave",
                    routes: [
                        Route(
                            service: "codex", strategy: .adaptiveRoundRobin,
                            candidates: [.init(target: 0), .init(target: 1)])
                    ])
            ])
        let next = try ServingTable(table: table, environment: [:])
        driver.tables.replace(with: next)
        driver.clock.advance(seconds: 60)
        let snapshot = driver.router.snapshot(of: next)
        #expect(snapshot.pairs.map(\.pair) == [Driver.pair(0), Driver.pair(1)])
        #expect(snapshot.pair(Driver.pair(0))?.errorRate == 0)
        #expect(snapshot.pair(Driver.pair(0))?.lastOutcome == nil)
        #expect(abs((snapshot.pair(Driver.pair(1))?.errorRate ?? 0) - 0.25) < 1e-9)  // 0.5, one half-life later
        #expect(snapshot.route(user: "dave", service: "codex")?.candidates.map(\.effectiveWeight) == [1, 0.75])
    }

    @Test func theSettingsAreValidated() throws {
        #expect(AdaptiveWeighting.standard.halfLife == 60 && AdaptiveWeighting.standard.floor == 0.1)
        #expect(try AdaptiveWeighting(halfLife: 0.001, floor: 1).floor == 1)
        for (halfLife, floor) in [
            (0.0, 0.1), (-1, 0.1), (.nan, 0.1), (.infinity, 0.1), (60, 0), (60, 1.01), (60, .nan), (60, -0.5),
        ] {
            #expect(throws: InvalidAdaptiveWeighting.self, "\(halfLife), \(floor)") {
                try AdaptiveWeighting(halfLife: halfLife, floor: floor)
            }
        }
        #expect(AdaptiveWeighting.standard.scaledWeight(1_000_000, errorRate: 0) == 1_000_000_000)
        #expect(AdaptiveWeighting.standard.scaledWeight(1, errorRate: 1) == 100)
        #expect(try AdaptiveWeighting(halfLife: 60, floor: 0.0001).scaledWeight(1, errorRate: 1) == 1, "never 0")
    }
}
