import RouteTable

/// Renders `piapi-compile inspect`: a summary line, one aligned row per candidate of every
/// user × service route, then each user's effective limits and the prices when the table has
/// any. Credentials appear only as `<redacted>` or `${VAR}` names.
public enum TableInspector {
    public static func render(_ table: RouteTable) -> String {
        var text = "\(TableSummary.describe(table)), content hash \(table.contentHash)\n"
        let variables = table.environmentVariables
        if !variables.isEmpty {
            text += "needs from the environment: " + variables.joined(separator: ", ") + "\n"
        }
        var grid = TextTable(header: [
            "USER", "SERVICE", "STRATEGY", "#", "PROVIDER", "KEY", "WEIGHT", "ENABLED", "UPSTREAM", "INJECTION",
        ])
        for route in RouteSnapshot.all(in: table) {
            for (index, candidate) in route.candidates.enumerated() {
                grid.append([
                    route.userName, route.service, route.strategy, "\(index + 1)", candidate.provider,
                    candidate.keyName,
                    "\(candidate.weight)", candidate.enabled ? "yes" : "no", candidate.url, candidate.auth,
                ])
            }
        }
        return text + "\n" + grid.render() + LimitsAndPrices.limitsSection(table) + LimitsAndPrices.pricesSection(table)
    }
}
