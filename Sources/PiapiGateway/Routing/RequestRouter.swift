import NIOCore
import RouteTable

/// Decides what one parsed request head asks for, as a value: the local endpoints, the
/// refusals (method, path, key, route, broken chunked body, no candidate, a limit), or a
/// plan for the upstream. The two pieces of shared state it consults, the candidates' order
/// and the limit counters, come in as functions, so every rule is testable without a server.
struct RequestRouter {
    /// `--no-public-metrics` makes `/metrics` an unknown path.
    let publicMetrics: Bool

    /// `methodRefused`: the head starts with a method never forwarded (TRACE, CONNECT, …).
    /// `bufferedBody`: what followed the head in the read buffer (a chunked body is checked).
    /// `order` gives a multi-candidate route's try order (empty: none ready); `admit` checks a
    /// limited user's counters and, when it admits, counts the request.
    func route(
        _ head: RequestHead, methodRefused: Bool, table: RouteTable, bufferedBody: ByteBuffer,
        order: (Route, RouteKey) -> [Int], admit: (UserRoutes) -> LimitDecision
    ) -> RoutingDecision {
        if methodRefused { return .refuse(RoutingRefusal(error: .methodNotAllowed)) }
        let destination = head.bytes.withUnsafeReadableBytes {
            RequestPath.classify($0, head.path, metrics: publicMetrics)
        }
        switch destination {
        case .healthz: return .healthz
        case .metrics: return .metrics
        case .notFound: return .refuse(RoutingRefusal(error: .noService))
        case .proxy(let service, let rest):
            return proxy(
                head, service: service, rest: rest, table: table, bufferedBody: bufferedBody, order: order,
                admit: admit)
        }
    }

    private func proxy(
        _ head: RequestHead, service: Range<Int>, rest: Range<Int>, table: RouteTable,
        bufferedBody: ByteBuffer, order: (Route, RouteKey) -> [Int],
        admit: (UserRoutes) -> LimitDecision
    ) -> RoutingDecision {
        if head.bytes.withUnsafeReadableBytes({ RequestPath.escapesBase($0, rest) }) {
            return .refuse(RoutingRefusal(error: .badPath))
        }
        let serviceType = head.string(service)
        let user: UserRoutes
        let route: Route
        switch Self.lookup(head, service: serviceType, in: table) {
        case .unknownUser: return .refuse(RoutingRefusal(error: .missingKey))
        case .conflictingKeys: return .refuse(RoutingRefusal(error: .conflictingKeys))
        case .noRoute(let known):
            return .refuse(RoutingRefusal(error: .noRoute, user: known.name, service: serviceType))
        case .found(let known, let found):
            (user, route) = (known, found)
        }
        if case .chunked(var scanner) = head.framing,
            bufferedBody.withUnsafeReadableBytes({ scanner.scan($0) }) == .invalid
        {
            // Refuse a body that is already visibly broken before anything goes upstream.
            return .refuse(RoutingRefusal(error: .badChunked, user: user.name, service: serviceType, closeClient: true))
        }
        guard let plan = Self.plan(route, key: RouteKey(user: user.name, service: serviceType), order: order) else {
            return .refuse(RoutingRefusal(error: .noEnabledCandidate, user: user.name, service: serviceType))
        }
        var admission: RateLimitStatus?
        if user.limits != .unlimited {
            switch admit(user) {
            case .refused(let refusal):
                return .refuse(
                    RoutingRefusal(
                        error: .rateLimited(refusal), user: user.name, service: serviceType,
                        extraHeaders: RateLimitHeaders.refusal(refusal), limit: refusal.kind))
            case .admitted(let status):
                admission = status
            }
        }
        return .proxy(ProxyPlan(user: user, serviceType: serviceType, rest: rest, plan: plan, admission: admission))
    }

    private enum Lookup {
        case unknownUser
        case conflictingKeys
        case noRoute(UserRoutes)
        case found(UserRoutes, Route)
    }

    /// The user and route a request's keys lead to. A request presenting one key (or the same
    /// key twice: the usual case) costs the table's one lookup, `RouteTable.lookup`; two
    /// different keys, or a miss, go through `PresentedUser`'s rules to say which user (if
    /// any) is meant and why not.
    private static func lookup(_ head: RequestHead, service: String, in table: RouteTable) -> Lookup {
        let (bearer, apiKey) = head.bytes.withUnsafeReadableBytes { bytes in
            let digest = { (range: Range<Int>?) in
                range.map { UserKeyDigest.of(UnsafeRawBufferPointer(rebasing: bytes[$0])) }
            }
            return (digest(head.bearerKey), digest(head.apiKey))
        }
        if bearer == nil || apiKey == nil || bearer == apiKey, let digest = bearer ?? apiKey,
            let found = table.lookup(digest: digest, service: service)
        {
            return .found(found.user, found.route)
        }
        switch PresentedUser.resolve(bearer: bearer, apiKey: apiKey, lookup: table.user(for:)) {
        case .unknown: return .unknownUser
        case .conflicting: return .conflictingKeys
        case .known(let user):
            guard let route = user.route(for: service) else { return .noRoute(user) }
            return .found(user, route)
        }
    }

    /// Which candidates the request may try, in order: the one of a single-candidate route,
    /// or what the candidate router picks. Nil when none is enabled (or ready).
    private static func plan(_ route: Route, key: RouteKey, order: (Route, RouteKey) -> [Int]) -> AttemptPlan? {
        if route.candidates.count == 1 {
            return route.candidates[0].enabled ? .single(target: route.candidates[0].target) : nil
        }
        let positions = order(route, key)
        guard !positions.isEmpty else { return nil }
        return AttemptPlan(route: key, positions: positions, targets: positions.map { route.candidates[$0].target })
    }
}
