import RouteTable

/// Decodes a `limits` block: the top-level defaults or a user's overrides. Counts are plain
/// integers from 1 to `UserLimits.maxCount`, USD budgets positive numbers. `none` lifts a
/// default and is only valid in a user's block (in the defaults there is nothing to lift).
enum LimitsDecoder {
    static let fieldNames = UserLimits.Field.allCases.map(\.name)

    /// `isDefaults`: the top-level block, where `none` is an error.
    static func decode(_ node: YAMLNode, isDefaults: Bool, log: inout DiagnosticLog) -> LimitsConfig? {
        let what = isDefaults ? "limits" : "user limits"
        guard let fields = MappingFields(node, what: what, known: fieldNames, log: &log) else { return nil }
        var limits = LimitsConfig()
        for field in UserLimits.Field.allCases {
            guard let value = fields[field.name] else { continue }
            if case .scalar(let scalar) = value.content, scalar.text == "none" || (scalar.isNull && !isDefaults) {
                let kind = field.isUSD ? "a positive number (USD)" : "a positive integer"
                if isDefaults {
                    log.error(
                        value.location, "none is only for a user's limits, where it lifts a default",
                        note: "leave \(field.name) out of the defaults: without a default it is unlimited")
                } else if scalar.isNull {
                    log.error(
                        value.location, "\(field.name) must be \(kind) or none",
                        note: "a null value is not none: write none to lift a default")
                } else if !scalar.isPlain {
                    log.error(
                        value.location, "\(field.name) must be \(kind) or none", note: "write none without quotes")
                } else {
                    limits.lifted.insert(field)
                }
                continue
            }
            if field.isUSD {
                guard let usd = usdLimit(value, field, allowsNone: !isDefaults, log: &log) else { continue }
                limits.values[usd: field] = usd
                limits.usdLocations.append((field, value.location))
            } else {
                guard let count = countLimit(value, field, allowsNone: !isDefaults, log: &log) else { continue }
                limits.values[count: field] = count
            }
        }
        return limits
    }

    private static func expectation(_ kind: String, allowsNone: Bool) -> String {
        allowsNone ? "\(kind) or none" : kind
    }

    private static let zeroNote =
        "0 does not mean unlimited: leave the field out, or write none in a user's limits to lift a default"

    private static func countLimit(
        _ node: YAMLNode, _ field: UserLimits.Field, allowsNone: Bool, log: inout DiagnosticLog
    ) -> Int? {
        let message = "\(field.name) must be \(expectation("a positive integer", allowsNone: allowsNone))"
        guard case .scalar(let scalar) = node.content, scalar.isPlain else {
            log.error(node.location, message)
            return nil
        }
        let text = scalar.text
        let digits = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        if !digits.isEmpty, digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) {
            guard let count = Int(digits), count <= UserLimits.maxCount else {
                log.error(node.location, "\(field.name) must be at most \(UserLimits.maxCount)")
                return nil
            }
            guard count >= 1 else {
                log.error(node.location, message, note: zeroNote)
                return nil
            }
            return count
        }
        let note = text.contains("_") || text.contains(",") ? "write the digits only, without '_' or ','" : nil
        log.error(node.location, message, note: note)
        return nil
    }

    private static func usdLimit(
        _ node: YAMLNode, _ field: UserLimits.Field, allowsNone: Bool, log: inout DiagnosticLog
    ) -> Double? {
        let message = "\(field.name) must be \(expectation("a positive number (USD)", allowsNone: allowsNone))"
        switch ScalarDecoding.number(node) {
        case .value(let usd) where usd > 0:
            return usd
        case .value(let usd):
            log.error(node.location, message, note: usd == 0 ? zeroNote : nil)
        case .outOfRange:
            log.error(node.location, "\(field.name) is too large")
        case .notANumber:
            log.error(node.location, message)
        }
        return nil
    }
}
