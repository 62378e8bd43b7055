/// What a `101`'s `Sec-WebSocket-Extensions` negotiated, as far as reading the server's
/// frames goes (RFC 7692). Only permessage-deflate changes what a frame's payload means; any
/// other extension may give the RSV bits a meaning the reader cannot know, so then it reads
/// nothing rather than guess.
enum WebSocketExtensions: Equatable, Sendable {
    case none
    /// permessage-deflate; `serverNoContextTakeover`: each server message is compressed on
    /// its own (the inflater starts afresh per message), else the window runs on across them.
    case deflate(serverNoContextTakeover: Bool)
    /// An extension the reader does not know, or a header it cannot make sense of.
    case unreadable

    private static let deflateName = "permessage-deflate"
    private static let noContextTakeover = "server_no_context_takeover"

    /// From the `101`'s header value (nil when absent).
    init(header: Substring?) {
        guard let header, !header.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "," }) else {
            self = .none
            return
        }
        var result = WebSocketExtensions.none
        for element in header.split(separator: ",") {
            let parts = element.split(separator: ";").map { $0.trimmingSpaces().lowercased() }
            guard let name = parts.first, !name.isEmpty else { continue }
            // A server accepts at most one deflate offer; two, or a stranger, make the RSV bits ambiguous.
            guard name == Self.deflateName, result == .none else {
                self = .unreadable
                return
            }
            let parameters = parts.dropFirst().map {
                $0.split(separator: "=", maxSplits: 1).first?.trimmingSpaces() ?? ""
            }
            result = .deflate(serverNoContextTakeover: parameters.contains { $0 == Self.noContextTakeover })
        }
        self = result
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return s
    }
}
