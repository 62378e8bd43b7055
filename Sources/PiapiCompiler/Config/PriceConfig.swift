import RouteTable

/// One model's entry under `prices`, with `cacheRead`/`cacheWrite` defaults applied.
struct PriceConfig: Sendable {
    var model: Located<String>
    var price: ModelPrice
}
