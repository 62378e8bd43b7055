import RouteTable

/// Turns a validated config into a `RouteTable`: one target per referenced (provider,
/// key, service) with its credential injection worked out, users keyed by key digest with
/// their effective limits (defaults merged with their own), and the prices.
enum TableBuilder {
    static func build(_ config: Config) throws(TableError) -> RouteTable {
        var targets: [Target] = []
        var targetIndex: [String: Int] = [:]
        var users: [UserRoutes] = []
        users.reserveCapacity(config.users.count)
        let defaults = config.limits?.applied(to: .unlimited) ?? .unlimited
        for user in config.users {
            guard let apiKey = user.apiKey else { throw .invalid("user without a key reached the compiler") }
            var routes: [Route] = []
            for route in user.routes {
                var candidates: [Route.Candidate] = []
                for candidate in route.candidates {
                    let id = "\(candidate.providerName.value)\u{0}\(candidate.keyName.value)\u{0}\(route.service.value)"
                    let index: Int
                    if let known = targetIndex[id] {
                        index = known
                    } else {
                        index = targets.count
                        targets.append(try target(candidate, service: route.service.value, config: config))
                        targetIndex[id] = index
                    }
                    candidates.append(
                        Route.Candidate(target: index, weight: candidate.weight, enabled: candidate.enabled))
                }
                routes.append(Route(service: route.service.value, strategy: route.strategy, candidates: candidates))
            }
            let limits = user.limits?.applied(to: defaults) ?? defaults
            users.append(
                UserRoutes(
                    keyDigest: KeyDigest(ofKey: apiKey.value), name: user.name.value, routes: routes, limits: limits))
        }
        let prices = Dictionary(
            config.prices.map { ($0.model.value, $0.price) }, uniquingKeysWith: { first, _ in first })
        return try RouteTable(targets: targets, users: users, prices: prices)
    }

    private static func target(
        _ candidate: RouteConfig.Candidate, service: String, config: Config
    ) throws(TableError) -> Target {
        guard let provider = config.provider(named: candidate.providerName.value),
            let key = provider.key(named: candidate.keyName.value),
            let endpoint = provider.service(ofType: service)
        else {
            throw .invalid("an unresolved reference reached the compiler")
        }
        return Target(
            provider: provider.name.value, keyName: key.name.value, serviceType: service,
            upstream: endpoint.upstream, injection: injection(endpoint.auth, key: key.value))
    }

    /// Header mode: the full value, prefix included. Query mode: the name and the literal
    /// parts percent-encoded (variables are encoded by piapi-serve once resolved).
    static func injection(_ auth: AuthConfig, key: SecretTemplate) -> Injection {
        switch auth.mode {
        case .header:
            return Injection(mode: .header, name: auth.name, value: joined([.literal(auth.prefix)] + key.parts))
        case .query:
            let parts = key.parts.map { part -> SecretTemplate.Part in
                if case .literal(let text) = part { return .literal(PercentEncoding.encodeQueryComponent(text)) }
                return part
            }
            return Injection(
                mode: .query, name: PercentEncoding.encodeQueryComponent(auth.name), value: SecretTemplate(parts: parts)
            )
        }
    }

    /// Merges adjacent literals and drops empty ones, so equal values have equal parts.
    private static func joined(_ parts: [SecretTemplate.Part]) -> SecretTemplate {
        var out: [SecretTemplate.Part] = []
        for part in parts {
            switch (part, out.last) {
            case (.literal(let text), _) where text.isEmpty: continue
            case (.literal(let text), .literal(let previous)?): out[out.count - 1] = .literal(previous + text)
            default: out.append(part)
            }
        }
        return SecretTemplate(parts: out)
    }
}
