import Glibc

/// A 127.0.0.1 port that refuses every connection for the whole test run: a TCP socket bound
/// to it that never listens (Linux answers a SYN there with a reset) and is never closed.
///
/// Why not "bind port 0, close, return the number": under a parallel `swift test` another
/// test's server can be given that same port a moment later, and a test expecting "connection
/// refused" then talks to a stranger (seen: a 502 test answered 404 by another gateway).
public enum RefusedPort {
    public static let port: Int = {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        precondition(descriptor >= 0, "socket: \(errno)")
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                bind(descriptor, address, length) == 0 && getsockname(descriptor, address, &length) == 0
            }
        }
        precondition(bound, "bind: \(errno)")
        return Int(UInt16(bigEndian: address.sin_port))
    }()
}
