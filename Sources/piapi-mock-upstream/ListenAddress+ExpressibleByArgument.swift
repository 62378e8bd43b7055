import ArgumentParser
import MockUpstream

/// Lets `--listen` be parsed straight into a `ListenAddress`, so a malformed address is a
/// usage error with ArgumentParser's usual message.
extension ListenAddress: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(parsing: argument)
    }

    public var defaultValueDescription: String {
        description
    }
}
