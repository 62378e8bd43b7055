import RouteTable

/// One upstream provider: its named keys and the service endpoints it offers.
struct ProviderConfig: Sendable {
    /// A named provider key; `value` may hold `${VAR}` references.
    struct Key: Sendable {
        var name: Located<String>
        var value: SecretTemplate
        var valueLocation: SourceLocation
    }

    var name: Located<String>
    var keys: [Key]
    var services: [ServiceConfig]
    /// Every key name and service type written, valid or not: references to an entry that
    /// failed its own checks are not reported a second time.
    var declaredKeyNames: Set<String>
    var declaredServiceTypes: Set<String>

    func key(named name: String) -> Key? {
        keys.first { $0.name.value == name }
    }

    func service(ofType type: String) -> ServiceConfig? {
        services.first { $0.type.value == type }
    }
}
