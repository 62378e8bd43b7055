/// The config as decoded: providers and users with positions, prices and default limits.
/// Entries too broken to decode are left out, so checks on the rest still run and report
/// in the same pass.
struct Config: Sendable {
    var providers: [ProviderConfig]
    var users: [UserConfig]
    /// The `prices` entries, in file order.
    var prices: [PriceConfig] = []
    /// The top-level `limits` block (defaults for every user), if written.
    var limits: LimitsConfig?

    func provider(named name: String) -> ProviderConfig? {
        providers.first { $0.name.value == name }
    }
}
