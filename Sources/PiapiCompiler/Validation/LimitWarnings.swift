/// A USD budget needs prices: without a `prices` block piapi-serve cannot work out what a
/// request cost, so the budget never fills. Warned at each USD limit's value.
enum LimitWarnings {
    static func check(_ config: Config, log: inout DiagnosticLog) {
        guard config.prices.isEmpty else { return }
        let blocks = [config.limits] + config.users.map(\.limits)
        for case let limits? in blocks {
            for (field, location) in limits.usdLocations {
                log.warning(
                    location, "\(field.name) cannot be enforced: the config has no prices",
                    note: "add a top-level prices block (USD per million tokens for each model)")
            }
        }
    }
}
