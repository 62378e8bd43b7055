/// One way to serve a service type: a provider's service endpoint used with one of the
/// provider's named keys. Routes point at targets by index, so each is stored once.
public struct Target: Hashable, Sendable {
    public var provider: String
    public var keyName: String
    public var serviceType: String
    public var upstream: Upstream
    public var injection: Injection

    public init(provider: String, keyName: String, serviceType: String, upstream: Upstream, injection: Injection) {
        self.provider = provider
        self.keyName = keyName
        self.serviceType = serviceType
        self.upstream = upstream
        self.injection = injection
    }

    /// The order targets are stored in, which keeps encoding deterministic.
    static func storageOrder(_ a: Target, _ b: Target) -> Bool {
        (a.provider, a.serviceType, a.keyName) < (b.provider, b.serviceType, b.keyName)
    }
}
