/// One try of one request at one candidate, by names only (never a credential): the request
/// log's `attempts` list and the attempt metrics are made of these.
public struct UpstreamAttempt: Sendable, Hashable {
    public var provider: String
    /// The provider key's NAME.
    public var key: String
    public var outcome: AttemptOutcome

    public init(provider: String, key: String, outcome: AttemptOutcome) {
        self.provider = provider
        self.key = key
        self.outcome = outcome
    }
}
