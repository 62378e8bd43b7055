import NIOConcurrencyHelpers
import Prometheus

/// The usage and governance series: tokens and cost per user/service/provider/model, 2xx
/// answers whose usage could not be read, limit refusals and ledger drops.
///
/// Label values must stay bounded whatever an upstream says: `model` comes from the
/// response, so a model name is a label only if it is short and plain and one of the first
/// `maxModels` seen (or priced); any other is counted as `other`. `user` can be left off
/// (`--metrics-user-label off`) when there are many users: each (user, service, provider,
/// model, kind) is one series.
public final class UsageMetrics: Sendable {
    /// Distinct model label values kept before the rest count as `other`.
    public static let maxModels = 64
    public static let otherModel = "other"

    private let registry: PrometheusCollectorRegistry
    private let userLabel: Bool
    private let state = NIOLockedValueBox(State())

    private struct State: Sendable {
        var models: Set<String> = []
        var tokens: [TokenSeriesKey: Counter] = [:]
        var costs: [CostSeriesKey: Counter] = [:]
        var unknown: [[String]: Counter] = [:]
        var rejections: [[String]: Counter] = [:]
    }

    private struct CostSeriesKey: Hashable, Sendable {
        var user: String?
        var serviceType: String
        var provider: String
        var model: String
    }

    private struct TokenSeriesKey: Hashable, Sendable {
        var cost: CostSeriesKey
        var kind: String
    }

    public let ledgerDropped: Counter

    static var tokensName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "piapi", metricName: "tokens", unitName: "total",
            helpText:
                "Tokens by user, service type, provider, model and kind (input, cache_read, cache_write, output, reasoning)."
        )
    }
    static var costName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "piapi", metricName: "cost_usd", unitName: "total",
            helpText: "Cost in USD from the configured prices, by user, service type, provider and model.")
    }
    static var unknownName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "piapi", metricName: "usage_unknown", unitName: "total",
            helpText: "2xx answers whose token usage could not be read, by service type and reason.")
    }
    static var rejectionsName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "piapi", metricName: "limit_rejections", unitName: "total",
            helpText: "Requests refused with 429 by a per-user limit, by user and limit.")
    }
    static var ledgerDroppedName: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "piapi", metricName: "ledger_dropped", unitName: "total",
            helpText: "Ledger rows dropped because the ledger's queue was full.")
    }

    public init(registry: PrometheusCollectorRegistry, userLabel: Bool = true, pricedModels: [String] = []) {
        self.registry = registry
        self.userLabel = userLabel
        ledgerDropped = registry.makeCounter(descriptor: Self.ledgerDroppedName)
        state.withLockedValue { $0.models.formUnion(pricedModels.filter(Self.isPlain)) }
    }

    /// Counts one response's tokens (`kinds` as label value and count) and cost.
    public func record(
        user: String?, serviceType: String, provider: String, model: String?,
        kinds: [(kind: String, count: Int)], costUSD: Double?
    ) {
        let (tokenCounters, cost) = state.withLockedValue { state -> ([(Counter, Int)], Counter?) in
            let key = CostSeriesKey(
                user: userLabel ? (user ?? "none") : nil, serviceType: serviceType,
                provider: provider, model: label(for: model, in: &state))
            var tokens: [(Counter, Int)] = []
            for (kind, count) in kinds where count > 0 {
                tokens.append((counter(for: TokenSeriesKey(cost: key, kind: kind), in: &state), count))
            }
            return (tokens, costUSD == nil ? nil : costCounter(for: key, in: &state))
        }
        for (counter, count) in tokenCounters { counter.increment(by: Int64(count)) }
        if let cost, let costUSD, costUSD > 0 { cost.increment(by: costUSD) }
    }

    public func usageUnknown(serviceType: String, reason: String) {
        counter(\State.unknown, Self.unknownName, [("service_type", serviceType), ("reason", reason)]).increment()
    }

    public func limitRejected(user: String, limit: LimitKind) {
        counter(\State.rejections, Self.rejectionsName, [("user", user), ("limit", limit.rawValue)]).increment()
    }

    private func counter(
        _ series: WritableKeyPath<State, [[String]: Counter]>, _ name: MetricNameDescriptor,
        _ labels: [(String, String)]
    ) -> Counter {
        state.withLockedValue { state in
            let key = labels.map(\.1)
            if let counter = state[keyPath: series][key] { return counter }
            let counter = registry.makeCounter(descriptor: name, labels: labels)
            state[keyPath: series][key] = counter
            return counter
        }
    }

    private func label(for model: String?, in state: inout State) -> String {
        guard let model, Self.isPlain(model) else { return Self.otherModel }
        if state.models.contains(model) { return model }
        guard state.models.count < Self.maxModels else { return Self.otherModel }
        state.models.insert(model)
        return model
    }

    private func labels(_ key: CostSeriesKey) -> [(String, String)] {
        var labels = key.user.map { [("user", $0)] } ?? []
        labels += [("service_type", key.serviceType), ("provider", key.provider), ("model", key.model)]
        return labels
    }

    private func counter(for key: TokenSeriesKey, in state: inout State) -> Counter {
        if let counter = state.tokens[key] { return counter }
        let counter = registry.makeCounter(descriptor: Self.tokensName, labels: labels(key.cost) + [("kind", key.kind)])
        state.tokens[key] = counter
        return counter
    }

    private func costCounter(for key: CostSeriesKey, in state: inout State) -> Counter {
        if let counter = state.costs[key] { return counter }
        let counter = registry.makeCounter(descriptor: Self.costName, labels: labels(key))
        state.costs[key] = counter
        return counter
    }

    /// At most 100 characters of `[A-Za-z0-9._:/@-]`: what model names look like, and
    /// nothing that could break the exposition format.
    static func isPlain(_ model: String) -> Bool {
        !model.isEmpty && model.utf8.count <= 100
            && model.utf8.allSatisfy { b in
                (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                    || b == UInt8(ascii: ".") || b == UInt8(ascii: "_") || b == UInt8(ascii: ":")
                    || b == UInt8(ascii: "/") || b == UInt8(ascii: "@") || b == UInt8(ascii: "-")
            }
    }
}
