/// Why piapi-serve could not start, as the one line it prints before exiting with status 1.
public struct GatewayStartupError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
