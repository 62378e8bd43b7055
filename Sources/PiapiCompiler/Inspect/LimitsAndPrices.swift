import RouteTable

/// How `inspect` and `diff` show prices and limits: numbers as written in a config (`3`,
/// `0.3`, `20000000`), an unset limit as `-`.
enum LimitsAndPrices {
    static let priceFields = ["input", "output", "cacheRead", "cacheWrite"]

    /// `3` for 3.0, `0.3`, `3.75`; the shortest text that reads back as the same number.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func rates(_ price: ModelPrice) -> [String] {
        [price.input, price.output, price.cacheRead, price.cacheWrite].map(number)
    }

    /// One limit's value, or nil when unlimited.
    static func value(_ limits: UserLimits, _ field: UserLimits.Field) -> String? {
        if let count = limits[count: field] { return String(count) }
        if let usd = limits[usd: field] { return number(usd) }
        return nil
    }

    /// "requestsPerMinute 60, usdPerMonth 200" (only the limits that are set).
    static func summary(_ limits: UserLimits) -> String {
        UserLimits.Field.allCases.compactMap { field in value(limits, field).map { "\(field.name) \($0)" } }.joined(
            separator: ", ")
    }

    /// "input 3, output 15, cacheRead 0.3, cacheWrite 3.75".
    static func summary(_ price: ModelPrice) -> String {
        zip(priceFields, rates(price)).map { "\($0) \($1)" }.joined(separator: ", ")
    }

    /// Users in the order inspect and diff list them: by name, then key digest.
    static func usersInOrder(_ table: RouteTable) -> [UserRoutes] {
        table.users.sorted { ($0.name, $0.keyDigest) < ($1.name, $1.keyDigest) }
    }

    /// The limits section of `inspect`, or "" when no user has a limit.
    static func limitsSection(_ table: RouteTable) -> String {
        guard table.users.contains(where: { !$0.limits.isUnlimited }) else { return "" }
        var grid = TextTable(header: ["USER"] + UserLimits.Field.allCases.map(\.name))
        for user in usersInOrder(table) {
            grid.append([user.name] + UserLimits.Field.allCases.map { value(user.limits, $0) ?? "-" })
        }
        return "\nlimits per user (defaults merged with the user's own; - is unlimited; USD needs prices):\n"
            + grid.render()
    }

    /// The prices section of `inspect`, or "" without prices.
    static func pricesSection(_ table: RouteTable) -> String {
        guard !table.prices.isEmpty else { return "" }
        var grid = TextTable(header: ["MODEL"] + priceFields)
        for model in table.pricedModels { grid.append([model] + rates(table.prices[model]!)) }
        return "\nprices in USD per million tokens (a response's model must match exactly):\n" + grid.render()
    }
}
