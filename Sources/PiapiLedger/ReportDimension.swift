/// What a usage report can group by (`--by`).
public enum ReportDimension: String, Sendable, CaseIterable {
    case user
    case service
    case provider
    /// The provider key's name.
    case key
    case model
    /// The UTC calendar day, `YYYY-MM-DD`.
    case day

    func expression(_ dialect: LedgerDialect) -> String {
        switch self {
        case .user: "user_name"
        case .service: "service_type"
        case .provider: "provider"
        case .key: "key_name"
        case .model: "model"
        case .day: dialect.dayExpression
        }
    }
}
