/// The header names the gateway acts on, lower-cased, with a classifier that sorts one
/// header line into the role it plays when forwarding.
enum HeaderName {
    static let authorization = Array("authorization".utf8)
    static let xAPIKey = Array("x-api-key".utf8)
    static let contentLength = Array("content-length".utf8)
    static let transferEncoding = Array("transfer-encoding".utf8)
    static let connection = Array("connection".utf8)
    static let keepAlive = Array("keep-alive".utf8)
    static let proxyConnection = Array("proxy-connection".utf8)
    static let te = Array("te".utf8)
    static let trailer = Array("trailer".utf8)
    static let upgrade = Array("upgrade".utf8)
    static let proxyAuthorization = Array("proxy-authorization".utf8)
    static let proxyAuthenticate = Array("proxy-authenticate".utf8)
    static let host = Array("host".utf8)
    static let requestID = Array("x-request-id".utf8)
    static let forwardedFor = Array("x-forwarded-for".utf8)
    static let forwardedProto = Array("x-forwarded-proto".utf8)
    static let retryAfter = Array("retry-after".utf8)
    static let expect = Array("expect".utf8)

    /// What a header means to the proxy.
    enum Role: Sendable {
        case other
        case authorization
        case apiKey
        case contentLength
        case transferEncoding
        case connection
        /// Always dropped when forwarding (Keep-Alive, TE, Upgrade, …).
        case hopByHop
        case host
        case requestID
        case forwardedFor
        case forwardedProto
        /// `Expect`: answered by the gateway itself (`100 Continue`), never forwarded.
        case expect
    }

    static func role(of bytes: UnsafeRawBufferPointer, _ name: Range<Int>) -> Role {
        // Dispatch on length first: most headers are rejected by a single comparison.
        switch name.count {
        case 2: if ASCII.equalsIgnoringCase(bytes, name, te) { return .hopByHop }
        case 4: if ASCII.equalsIgnoringCase(bytes, name, host) { return .host }
        case 6: if ASCII.equalsIgnoringCase(bytes, name, expect) { return .expect }
        case 7:
            if ASCII.equalsIgnoringCase(bytes, name, trailer) { return .hopByHop }
            if ASCII.equalsIgnoringCase(bytes, name, upgrade) { return .hopByHop }
        case 9: if ASCII.equalsIgnoringCase(bytes, name, xAPIKey) { return .apiKey }
        case 10:
            if ASCII.equalsIgnoringCase(bytes, name, connection) { return .connection }
            if ASCII.equalsIgnoringCase(bytes, name, keepAlive) { return .hopByHop }
        case 12: if ASCII.equalsIgnoringCase(bytes, name, requestID) { return .requestID }
        case 13: if ASCII.equalsIgnoringCase(bytes, name, authorization) { return .authorization }
        case 14: if ASCII.equalsIgnoringCase(bytes, name, contentLength) { return .contentLength }
        case 15: if ASCII.equalsIgnoringCase(bytes, name, forwardedFor) { return .forwardedFor }
        case 16: if ASCII.equalsIgnoringCase(bytes, name, proxyConnection) { return .hopByHop }
        case 17:
            if ASCII.equalsIgnoringCase(bytes, name, transferEncoding) { return .transferEncoding }
            if ASCII.equalsIgnoringCase(bytes, name, forwardedProto) { return .forwardedProto }
        case 18: if ASCII.equalsIgnoringCase(bytes, name, proxyAuthenticate) { return .hopByHop }
        case 19: if ASCII.equalsIgnoringCase(bytes, name, proxyAuthorization) { return .hopByHop }
        default: break
        }
        return .other
    }
}
