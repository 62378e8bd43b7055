import ArgumentParser
import Foundation
import RouteTable

/// Loads a compiled table the way piapi-serve does and times the load, the per-request
/// key digest and the lookup, against a plain dictionary lookup as the in-run baseline.
struct TimeTable: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "time-table",
        abstract: "Time loading TABLE and looking up the routes of a gen-config table.")

    @Argument var table: String
    @Option var users = 10_000
    @Option var lookups = 2_000_000

    func run() throws {
        let clock = ContinuousClock()
        let loadStart = clock.now
        let loaded = try TableFile.load(path: table)
        let loadTime = clock.now - loadStart

        let keys = (0..<users).map { "piapi-user-\($0)-key" }
        let digests = keys.map { KeyDigest(ofKey: $0) }
        let services = ["codex", "claude_code"]

        var found = 0
        let lookupStart = clock.now
        for i in 0..<lookups {
            if loaded.lookup(digest: digests[i % digests.count], service: services[i & 1]) != nil { found += 1 }
        }
        let lookupTime = clock.now - lookupStart

        let baseline = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
        var baselineFound = 0
        let baselineStart = clock.now
        for i in 0..<lookups where baseline[keys[i % keys.count]] != nil { baselineFound += 1 }
        let baselineTime = clock.now - baselineStart

        let digestRounds = lookups / 4
        var checksum: UInt64 = 0
        let digestStart = clock.now
        for i in 0..<digestRounds { checksum ^= KeyDigest(ofKey: keys[i % keys.count]).words.0 }
        let digestTime = clock.now - digestStart

        func ns(_ d: Duration, _ n: Int) -> String {
            let total = Double(d.components.seconds) * 1e9 + Double(d.components.attoseconds) / 1e9
            return String(format: "%.1f", total / Double(n))
        }
        print(
            "routes=\(loaded.routeCount) found=\(found)/\(lookups) (baseline found \(baselineFound), digest checksum \(checksum & 0xff))"
        )
        print("load_ms=\(ns(loadTime, 1_000_000))")
        print("lookup_ns=\(ns(lookupTime, lookups)) baseline_string_dict_ns=\(ns(baselineTime, lookups))")
        print("key_digest_ns=\(ns(digestTime, digestRounds))")
    }
}
