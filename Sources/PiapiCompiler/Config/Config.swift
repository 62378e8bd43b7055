/// The config as decoded: providers and users with positions. Entries too broken to
/// decode are left out, so checks on the rest still run and report in the same pass.
struct Config: Sendable {
    var providers: [ProviderConfig]
    var users: [UserConfig]

    func provider(named name: String) -> ProviderConfig? {
        providers.first { $0.name.value == name }
    }
}
