import RouteTable

/// One user × service route as `inspect` and `diff` show it: names, URLs with masked query
/// values and redacted injections only. The raw credential and base query are kept solely to
/// notice that they changed.
struct RouteSnapshot: Equatable {
    struct Candidate: Equatable {
        var provider: String
        var keyName: String
        var url: String
        var auth: String
        var weight: UInt32
        var enabled: Bool
        /// Compared, never printed.
        var credential: SecretTemplate
        /// Compared, never printed: `url` masks its values.
        var baseQuery: String

        var label: String {
            "\(provider)/\(keyName)" + (weight == 1 ? "" : " weight \(weight)") + (enabled ? "" : " (disabled)")
        }
    }

    var userName: String
    var userDigest: KeyDigest
    var service: String
    var strategy: String
    var candidates: [Candidate]

    var title: String { "\(userName) / \(service)" }

    /// Every route of a table, ordered by user name, then key digest, then service.
    static func all(in table: RouteTable) -> [RouteSnapshot] {
        let users = table.users.sorted { ($0.name, $0.keyDigest) < ($1.name, $1.keyDigest) }
        return users.flatMap { user in
            user.routes.map { route in
                RouteSnapshot(
                    userName: user.name, userDigest: user.keyDigest, service: route.service,
                    strategy: route.strategy.name,
                    candidates: route.candidates.map { candidate in
                        let target = table.targets[candidate.target]
                        return Candidate(
                            provider: target.provider, keyName: target.keyName, url: target.upstream.displayURL,
                            auth: InjectionDescription.describe(target.injection), weight: candidate.weight,
                            enabled: candidate.enabled, credential: target.injection.value,
                            baseQuery: target.upstream.baseQuery)
                    })
            }
        }
    }
}
