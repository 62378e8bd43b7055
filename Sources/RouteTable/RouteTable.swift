import Crypto

/// The compiled routing table that piapi-compile writes and piapi-serve loads: every user's
/// routes with upstream and credential injection worked out, looked up once per request.
public struct RouteTable: Sendable {
    /// Every distinct (provider, key, service) endpoint, in storage order.
    public let targets: [Target]
    /// Every user, sorted by key digest.
    public let users: [UserRoutes]
    /// USD per million tokens, by model name as the upstream's responses spell it (empty when
    /// the config has no `prices`). Look models up with `price(for:)`.
    public let prices: [String: ModelPrice]
    private let userIndex: [KeyDigest: Int]

    /// Builds a table, putting targets and users in their canonical order (so two equal
    /// tables encode to the same bytes). Candidate indices refer to `targets` as given.
    /// Every decoder builds through here, so each loaded target's wire strings are re-checked,
    /// and every price and limit must be one the compiler could have written.
    public init(targets: [Target], users: [UserRoutes], prices: [String: ModelPrice] = [:]) throws(TableError) {
        for index in targets.indices { try WireCheck.check(targets[index], index: index) }
        for (model, price) in prices { try ModelPrice.check(price, model: model) }
        guard Set(targets).count == targets.count else { throw .invalid("a target is listed twice") }
        let order = targets.indices.sorted { Target.storageOrder(targets[$0], targets[$1]) }
        var newIndex = [Int](repeating: 0, count: targets.count)
        for (new, old) in order.enumerated() { newIndex[old] = new }

        // Decoded tables arrive sorted already; sorting again would dominate load time.
        var sortedUsers = users
        if !zip(users, users.dropFirst()).allSatisfy({ $0.keyDigest < $1.keyDigest }) {
            sortedUsers.sort { $0.keyDigest < $1.keyDigest }
        }
        var index = [KeyDigest: Int](minimumCapacity: users.count)
        for u in sortedUsers.indices {
            guard index.updateValue(u, forKey: sortedUsers[u].keyDigest) == nil else {
                throw .invalid("two users share one key digest")
            }
            try UserLimits.check(sortedUsers[u].limits, user: u)
            // Routes are sorted by service (UserRoutes.init), so a repeat sits next to its twin.
            let routes = sortedUsers[u].routes
            for (a, b) in zip(routes, routes.dropFirst()) where a.service == b.service {
                throw .invalid("user \(u) has two routes for one service type")
            }
            for r in routes.indices {
                let route = routes[r]
                guard !route.candidates.isEmpty else { throw .invalid("user \(u) has a route with no candidates") }
                for c in route.candidates.indices {
                    let old = route.candidates[c].target
                    guard targets.indices.contains(old) else { throw .invalid("candidate target \(old) out of range") }
                    guard route.candidates[c].weight >= 1 else { throw .invalid("candidate weight below 1") }
                    if newIndex[old] != old { sortedUsers[u].routes[r].candidates[c].target = newIndex[old] }
                }
            }
        }
        self.targets = order.map { targets[$0] }
        self.users = sortedUsers
        self.prices = prices
        self.userIndex = index
    }

    /// The price of a model, matched exactly (case and all) against the `prices` keys: a
    /// response's `model` that is not listed there has no price (nil), so its cost is unknown.
    public func price(for model: String) -> ModelPrice? {
        prices[model]
    }

    /// The priced model names in storage order (sorted by their UTF-8 bytes).
    public var pricedModels: [String] {
        prices.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The number of (user, service type) routes.
    public var routeCount: Int { users.reduce(0) { $0 + $1.routes.count } }

    /// The user whose key has this digest.
    @inlinable
    public func user(for digest: KeyDigest) -> UserRoutes? {
        guard let i = userIndex(of: digest) else { return nil }
        return users[i]
    }

    @usableFromInline
    func userIndex(of digest: KeyDigest) -> Int? { userIndex[digest] }

    /// The one lookup per request: a user's route for a service type, or nil.
    @inlinable
    public func lookup(digest: KeyDigest, service: String) -> (user: UserRoutes, route: Route)? {
        guard let user = user(for: digest), let route = user.route(for: service) else { return nil }
        return (user, route)
    }

    /// The same lookup with the service type sliced out of a request path.
    @inlinable
    public func lookup(digest: KeyDigest, service: Substring) -> (user: UserRoutes, route: Route)? {
        guard let user = user(for: digest), let route = user.route(for: service) else { return nil }
        return (user, route)
    }

    /// The SHA-256 of the canonical binary payload, in hex: the same for a table whether it
    /// was loaded from binary or JSON, so operators can compare replicas by it.
    public var contentHash: String {
        KeyDigest(bytes: Array(SHA256.hash(data: BinaryTableEncoder.payload(of: self))))!.hex
    }

    /// Every `${VAR}` the table needs from piapi-serve's environment, sorted, once each.
    public var environmentVariables: [String] {
        Array(Set(targets.flatMap(\.injection.value.variables))).sorted()
    }
}

extension RouteTable: Equatable {
    public static func == (a: RouteTable, b: RouteTable) -> Bool {
        a.targets == b.targets && a.users == b.users && a.prices == b.prices
    }
}
