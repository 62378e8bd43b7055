import RouteTable

/// What changed in the users' effective limits (users matched by key digest, shown by name)
/// and in the prices (by model): the part of `diff` after the routes.
struct LimitsAndPricesDiff {
    struct Change {
        var title: String
        var details: [String]
    }

    private(set) var limitsAdded: [(user: String, limits: UserLimits)] = []
    private(set) var limitsRemoved: [(user: String, limits: UserLimits)] = []
    private(set) var limitsChanged: [Change] = []
    private(set) var pricesAdded: [(model: String, price: ModelPrice)] = []
    private(set) var pricesRemoved: [(model: String, price: ModelPrice)] = []
    private(set) var pricesChanged: [Change] = []

    var limitsUnchanged: Bool { limitsAdded.isEmpty && limitsRemoved.isEmpty && limitsChanged.isEmpty }
    var pricesUnchanged: Bool { pricesAdded.isEmpty && pricesRemoved.isEmpty && pricesChanged.isEmpty }

    init(old: RouteTable, new: RouteTable) {
        let before = Dictionary(old.users.map { ($0.keyDigest, $0) }, uniquingKeysWith: { a, _ in a })
        let after = Dictionary(new.users.map { ($0.keyDigest, $0) }, uniquingKeysWith: { a, _ in a })
        for user in LimitsAndPrices.usersInOrder(new) {
            guard let previous = before[user.keyDigest] else {
                if !user.limits.isUnlimited { limitsAdded.append((user.name, user.limits)) }
                continue
            }
            let details = UserLimits.Field.allCases.compactMap { field -> String? in
                let a = LimitsAndPrices.value(previous.limits, field)
                let b = LimitsAndPrices.value(user.limits, field)
                return a == b ? nil : "\(field.name): \(a ?? "unlimited") → \(b ?? "unlimited")"
            }
            if !details.isEmpty { limitsChanged.append(Change(title: user.name, details: details)) }
        }
        for user in LimitsAndPrices.usersInOrder(old) where after[user.keyDigest] == nil && !user.limits.isUnlimited {
            limitsRemoved.append((user.name, user.limits))
        }

        for model in new.pricedModels {
            let price = new.prices[model]!
            guard let previous = old.prices[model] else {
                pricesAdded.append((model, price))
                continue
            }
            let details = zip(
                LimitsAndPrices.priceFields, zip(LimitsAndPrices.rates(previous), LimitsAndPrices.rates(price))
            )
            .compactMap { field, rates in rates.0 == rates.1 ? nil : "\(field): \(rates.0) → \(rates.1)" }
            if !details.isEmpty { pricesChanged.append(Change(title: model, details: details)) }
        }
        for model in old.pricedModels where new.prices[model] == nil {
            pricesRemoved.append((model, old.prices[model]!))
        }
    }

    /// The change lines, then one summary line for limits and one for prices when they changed.
    func render() -> (lines: String, summary: String) {
        var out = ""
        for change in limitsChanged {
            out += "~ limits of \(change.title)\n"
            for detail in change.details { out += "    \(detail)\n" }
        }
        for (user, limits) in limitsAdded { out += "+ limits of \(user): \(LimitsAndPrices.summary(limits))\n" }
        for (user, limits) in limitsRemoved { out += "- limits of \(user): \(LimitsAndPrices.summary(limits))\n" }
        for change in pricesChanged {
            out += "~ price \(change.title)\n"
            for detail in change.details { out += "    \(detail)\n" }
        }
        for (model, price) in pricesAdded { out += "+ price \(model): \(LimitsAndPrices.summary(price))\n" }
        for (model, price) in pricesRemoved { out += "- price \(model): \(LimitsAndPrices.summary(price))\n" }
        var summary = ""
        if !limitsUnchanged {
            summary +=
                "limits: \(limitsAdded.count) added, \(limitsRemoved.count) removed, \(limitsChanged.count) changed\n"
        }
        if !pricesUnchanged {
            summary +=
                "prices: \(pricesAdded.count) added, \(pricesRemoved.count) removed, \(pricesChanged.count) changed\n"
        }
        return (out, summary)
    }
}
