import Foundation

/// One finished request as the ledger stores it. Holds names only — the user's name, the
/// provider key's name — never a key, a header or a body, so the ledger can be read by
/// whoever runs reports without exposing anything a request carried.
public struct LedgerRow: Sendable, Equatable {
    /// When the request finished (stored in UTC).
    public var time: Date
    public var requestID: String
    public var user: String?
    public var serviceType: String?
    public var provider: String?
    /// The provider key's NAME from the config.
    public var keyName: String?
    /// The model the response named.
    public var model: String?
    public var status: Int
    public var latencyMs: Double
    /// Time to the upstream's first response byte; nil when no upstream answered.
    public var ttfbMs: Double?
    public var bytesIn: Int
    public var bytesOut: Int
    /// The five token kinds of the contract (§8); nil when the usage is unknown, which a
    /// report must not confuse with zero.
    public var inputTokens: Int?
    public var cacheReadTokens: Int?
    public var cacheWriteTokens: Int?
    /// Includes `reasoningTokens`.
    public var outputTokens: Int?
    /// The part of `outputTokens` spent reasoning; never added on top.
    public var reasoningTokens: Int?
    /// nil when no price is configured for the model.
    public var costUSD: Double?
    /// The client went away mid-stream: the usage is what was seen so far.
    public var partial: Bool
    /// A JSON array of the tries (provider, key name, outcome) as the caller rendered it.
    public var attempts: String?
    public var tableHash: String?

    public init(
        time: Date, requestID: String, user: String? = nil, serviceType: String? = nil,
        provider: String? = nil, keyName: String? = nil, model: String? = nil, status: Int,
        latencyMs: Double, ttfbMs: Double? = nil, bytesIn: Int = 0, bytesOut: Int = 0,
        inputTokens: Int? = nil, cacheReadTokens: Int? = nil, cacheWriteTokens: Int? = nil,
        outputTokens: Int? = nil, reasoningTokens: Int? = nil, costUSD: Double? = nil,
        partial: Bool = false, attempts: String? = nil, tableHash: String? = nil
    ) {
        self.time = time
        self.requestID = requestID
        self.user = user
        self.serviceType = serviceType
        self.provider = provider
        self.keyName = keyName
        self.model = model
        self.status = status
        self.latencyMs = latencyMs
        self.ttfbMs = ttfbMs
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.inputTokens = inputTokens
        self.cacheReadTokens = cacheReadTokens
        self.cacheWriteTokens = cacheWriteTokens
        self.outputTokens = outputTokens
        self.reasoningTokens = reasoningTokens
        self.costUSD = costUSD
        self.partial = partial
        self.attempts = attempts
        self.tableHash = tableHash
    }
}
