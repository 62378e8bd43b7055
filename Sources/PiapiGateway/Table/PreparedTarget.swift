import RouteTable

/// One table target with everything a request copies onto the wire worked out in advance
/// (Host line, base path and query, the injected header line or query item), so a request
/// only appends bytes.
final class PreparedTarget {
    /// Provider and key name: what health, logs and metrics know the target by.
    let pair: CandidatePair
    var provider: String { pair.provider }
    var keyName: String { pair.key }
    let origin: UpstreamOrigin
    let hostLine: [UInt8]
    let basePath: [UInt8]
    let baseQuery: [UInt8]
    let injectionMode: Injection.Mode
    /// Header mode: the lower-cased header name. Query mode: the item name, percent-decoded.
    let injectedName: [UInt8]
    /// `name: value\r\n` (header mode) or `name=value` (query mode).
    let injectedBytes: [UInt8]

    init(target: Target, credential: String) {
        pair = target.pair
        origin = UpstreamOrigin(target.upstream)
        hostLine = Array("host: \(target.upstream.hostHeader)\r\n".utf8)
        basePath = Array(target.upstream.basePath.utf8)
        baseQuery = Array(target.upstream.baseQuery.utf8)
        injectionMode = target.injection.mode
        switch target.injection.mode {
        case .header:
            injectedName = Array(target.injection.name.utf8).map(ASCII.lower)
            injectedBytes = Array("\(target.injection.name): \(credential)\r\n".utf8)
        case .query:
            injectedName = QueryItems.decodedName(Array(target.injection.name.utf8)[...])
            injectedBytes = Array("\(target.injection.name)=\(credential)".utf8)
        }
    }
}
