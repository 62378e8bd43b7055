import RouteTable

/// A route table made ready to serve: every `${VAR}` resolved from the environment once,
/// at load, so a request only copies the credential bytes.
public final class ServingTable: Sendable {
    public let table: RouteTable
    /// `RouteTable.contentHash`, shown in metrics and on every log line.
    public let hash: String
    /// The credential value to inject for each target, indexed like `table.targets`.
    public let credentials: [String]

    /// Fails with the first variable (by name) that `allowed` does not allow, or `environment`
    /// does not define, or defines empty or with a control character.
    public init(
        table: RouteTable, environment: [String: String],
        allowed: EnvironmentAllowList = .everything
    ) throws(UnresolvedVariable) {
        var credentials: [String] = []
        credentials.reserveCapacity(table.targets.count)
        for target in table.targets {
            for name in target.injection.value.variables
            where !UnresolvedVariable.isReserved(name) && !allowed.allows(name) {
                throw UnresolvedVariable(name: name, problem: .notAllowed)
            }
            credentials.append(try target.injection.resolvedValue { environment[$0] })
        }
        self.table = table
        self.hash = table.contentHash
        self.credentials = credentials
    }
}
