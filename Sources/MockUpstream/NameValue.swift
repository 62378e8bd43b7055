/// One header or query item as reported back, its value already redacted when it is a
/// credential; kept as an ordered pair because order and repeats matter when debugging.
public struct NameValue: Sendable, Equatable, Codable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
