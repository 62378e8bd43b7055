/// Why the mock upstream could not start, as a one-line message for its command line.
public enum MockUpstreamError: Error, CustomStringConvertible {
    case cannotListen(String, String)
    case noLocalAddress

    public var description: String {
        switch self {
        case .cannotListen(let address, let reason):
            return "cannot listen on \(address): \(reason)"
        case .noLocalAddress:
            return "the listening socket has no local address"
        }
    }
}
