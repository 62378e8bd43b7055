import RouteTable

/// What changed between two tables, route by route (users matched by key digest, shown
/// by name), then in each user's effective limits and in the prices: for reviewing a config
/// change in a pull request. Secrets stay redacted.
public struct RouteDiff {
    struct Change {
        var old: RouteSnapshot
        var new: RouteSnapshot
        var details: [String]
    }

    private(set) var added: [RouteSnapshot] = []
    private(set) var removed: [RouteSnapshot] = []
    private(set) var changed: [Change] = []
    private(set) var renamed: [(old: String, new: String)] = []
    let limitsAndPrices: LimitsAndPricesDiff

    /// No route, name, limit or price differs.
    public var isEmpty: Bool { routesUnchanged && limitsAndPrices.limitsUnchanged && limitsAndPrices.pricesUnchanged }

    private var routesUnchanged: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty && renamed.isEmpty }

    public init(old: RouteTable, new: RouteTable) {
        limitsAndPrices = LimitsAndPricesDiff(old: old, new: new)
        let before = Self.index(RouteSnapshot.all(in: old))
        let after = Self.index(RouteSnapshot.all(in: new))
        for route in RouteSnapshot.all(in: new) {
            guard let previous = before[Self.id(route)] else {
                added.append(route)
                continue
            }
            let details = RouteChangeDescriber.details(from: previous, to: route)
            if !details.isEmpty { changed.append(Change(old: previous, new: route, details: details)) }
        }
        removed = RouteSnapshot.all(in: old).filter { after[Self.id($0)] == nil }
        let oldNames = Dictionary(old.users.map { ($0.keyDigest, $0.name) }, uniquingKeysWith: { a, _ in a })
        for user in new.users.sorted(by: { $0.name < $1.name }) {
            if let previous = oldNames[user.keyDigest], previous != user.name { renamed.append((previous, user.name)) }
        }
    }

    public func render() -> String {
        var out = ""
        for (old, new) in renamed { out += "~ user \(old) is now named \(new) (same key)\n" }
        for route in added { out += "+ \(route.title): \(Self.summary(route))\n" }
        for route in removed { out += "- \(route.title): \(Self.summary(route))\n" }
        for change in changed {
            out += "~ \(change.new.title)\n"
            for detail in change.details { out += "    \(detail)\n" }
        }
        let (lines, summary) = limitsAndPrices.render()
        out += lines
        out +=
            routesUnchanged
            ? "no route changes\n" : "\(added.count) added, \(removed.count) removed, \(changed.count) changed\n"
        return out + summary
    }

    static func summary(_ route: RouteSnapshot) -> String {
        let chain = route.candidates.map { "\($0.label) → \($0.url) [\($0.auth)]" }.joined(separator: ", ")
        return route.candidates.count == 1 ? chain : "\(route.strategy): \(chain)"
    }

    private static func id(_ route: RouteSnapshot) -> String { "\(route.userDigest.hex) \(route.service)" }

    private static func index(_ routes: [RouteSnapshot]) -> [String: RouteSnapshot] {
        Dictionary(routes.map { (id($0), $0) }, uniquingKeysWith: { a, _ in a })
    }
}
