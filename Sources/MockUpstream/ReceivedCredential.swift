/// A credential the mock received, named by where it arrived, with its value redacted: the
/// answer to "did my upstream get the key, in the header/query item it expects?".
public struct ReceivedCredential: Sendable, Equatable, Codable {
    /// `header` or `query`.
    public var location: String
    public var name: String
    public var redactedValue: String

    public init(location: String, name: String, redactedValue: String) {
        self.location = location
        self.name = name
        self.redactedValue = redactedValue
    }

    enum CodingKeys: String, CodingKey {
        case location, name
        case redactedValue = "value"
    }
}
