import RouteTable

/// The one-line size of a table ("1 user, 2 routes, 2 targets") that compile, check and
/// inspect print.
public enum TableSummary {
    public static func describe(_ table: RouteTable) -> String {
        "\(counted(table.users.count, "user")), \(counted(table.routeCount, "route")), \(counted(table.targets.count, "target"))"
    }

    static func counted(_ n: Int, _ word: String) -> String {
        "\(n) \(word)\(n == 1 ? "" : "s")"
    }
}
