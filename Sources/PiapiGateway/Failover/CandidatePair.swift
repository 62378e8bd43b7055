/// What candidate health is kept by: a provider and one of its key names. A dead key is
/// dead for every user and service that uses it, and the pair outlives any one table.
public struct CandidatePair: Hashable, Sendable {
    public var provider: String
    public var key: String

    public init(provider: String, key: String) {
        self.provider = provider
        self.key = key
    }
}
