/// A `HOST:PORT` listen address as typed on the command line, parsed once so that a typo
/// becomes a one-line usage error instead of a bind failure deep inside NIO.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Accepts `127.0.0.1:9201`, `:9201` (loopback), `[::1]:9201` and `localhost:0`
    /// (port 0 picks a free port). Returns nil for anything else.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (0...65_535).contains(port), portText.allSatisfy(\.isNumber) else {
            return nil
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        if host.isEmpty {
            host = "127.0.0.1"
        }
        guard !host.contains(where: { $0 == " " || $0 == "[" || $0 == "]" || $0 == "/" }) else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
