/// The admin listener's settings (`--admin-listen`, `--admin-recent`, `PIAPI_ADMIN_TOKEN`).
public struct AdminConfiguration: Sendable {
    /// A token shorter than this is refused on a non-loopback address.
    public static let minimumTokenLength = 16
    /// The environment variable holding the token.
    public static let tokenVariable = "PIAPI_ADMIN_TOKEN"

    public var listen: ListenAddress
    /// Nil (or empty): no token; only allowed on a loopback address.
    public var token: String?
    /// How many finished requests `/api/requests` keeps.
    public var recentCapacity: Int

    public init(listen: ListenAddress, token: String? = nil, recentCapacity: Int = 1000) {
        self.listen = listen
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.recentCapacity = recentCapacity
    }

    /// The one-line reason this configuration must not start, or nil: a non-loopback address
    /// needs a token of at least 16 characters. The token itself is never part of the reason.
    public var refusal: String? {
        guard !Self.isLoopback(listen.host) else { return nil }
        guard let token else {
            return
                "--admin-listen \(listen) is not a loopback address: set \(Self.tokenVariable) (at least \(Self.minimumTokenLength) characters)"
        }
        guard token.count >= Self.minimumTokenLength else {
            return
                "--admin-listen \(listen) is not a loopback address: \(Self.tokenVariable) must be at least \(Self.minimumTokenLength) characters (it has \(token.count))"
        }
        return nil
    }

    /// `127.0.0.0/8`, `::1` (also written out in full or as an IPv4-mapped address) and
    /// `localhost`. Anything else, including `0.0.0.0` and `::`, is reachable from outside.
    public static func isLoopback(_ host: String) -> Bool {
        let lower = host.lowercased()
        if lower == "localhost" { return true }
        if lower.hasPrefix("::ffff:") { return isLoopback(String(lower.dropFirst(7))) }
        if lower.contains(":") {
            let groups = lower.split(separator: ":", omittingEmptySubsequences: false)
            guard lower.allSatisfy({ $0.isHexDigit || $0 == ":" }), lower.contains("::") || groups.count == 8 else {
                return false
            }
            let nonZero = groups.filter { !$0.isEmpty && $0.contains(where: { $0 != "0" }) }
            return nonZero.count == 1 && groups.last.map { Int($0, radix: 16) == 1 } == true
        }
        let octets = lower.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }
}
