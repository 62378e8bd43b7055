/// The `--listen` value as operators write it (`:9200`, `127.0.0.1:9200`, `[::1]:9200`), parsed
/// in the library so the executable stays thin and tests can cover every spelling.
public struct ListenAddress: Hashable, Sendable, CustomStringConvertible {
    /// The host to bind, without IPv6 brackets; `0.0.0.0` when the value gave none.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Why a `--listen` value was refused, in one line.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Parses `[host]:port`; an empty host means every IPv4 interface.
    public init(parsing text: String) throws(ParseError) {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw ParseError(description: "'\(text)': missing ']' after an IPv6 address")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.first == ":" else {
                throw ParseError(description: "'\(text)': expected ':PORT' after ']'")
            }
            portText = rest.dropFirst()
            guard !host.isEmpty, host.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." || $0 == "%" }) else {
                throw ParseError(description: "'\(text)': '\(host)' is not an IPv6 address")
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                throw ParseError(description: "'\(text)': expected HOST:PORT or :PORT")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else {
                throw ParseError(description: "'\(text)': put an IPv6 address in brackets, like [::1]:9200")
            }
            guard host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" }) else {
                throw ParseError(description: "'\(text)': '\(host)' is not a host name or address")
            }
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber),
            portText.count <= 5, let port = Int(portText), port <= 65_535
        else {
            throw ParseError(description: "'\(text)': the port must be a number from 0 to 65535")
        }
        self.host = host.isEmpty ? "0.0.0.0" : String(host)
        self.port = port
    }

    /// The address as it would be written back on the command line.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
