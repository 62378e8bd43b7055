import RouteTable

/// A `limits` block as written: the top-level defaults or one user's overrides.
struct LimitsConfig: Sendable {
    /// The fields given a value here (the others are nil).
    var values = UserLimits.unlimited
    /// The fields set to `none` (only in a user's block): they lift the default.
    var lifted: Set<UserLimits.Field> = []
    /// Where each USD limit's value is written, for the "no prices" warning.
    var usdLocations: [(field: UserLimits.Field, location: SourceLocation)] = []

    /// These overrides applied to `defaults`, field by field.
    func applied(to defaults: UserLimits) -> UserLimits {
        var out = defaults
        for field in UserLimits.Field.allCases {
            if lifted.contains(field) {
                out[count: field] = nil
                out[usd: field] = nil
            } else if let count = values[count: field] {
                out[count: field] = count
            } else if let usd = values[usd: field] {
                out[usd: field] = usd
            }
        }
        return out
    }
}
