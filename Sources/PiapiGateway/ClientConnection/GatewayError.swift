import NIOCore

/// An answer the gateway gives itself instead of the upstream's, always in the contract's
/// JSON shape `{"error":{"type","message","request_id"}}`; messages never carry a secret.
struct GatewayError: Error, Sendable, Equatable {
    let status: Int
    let type: String
    let message: String
    /// A short reason for the request log.
    let reason: String

    static let missingKey = GatewayError(
        status: 401, type: "unauthorized", message: "missing or unknown API key", reason: "unauthorized")
    static let noService = GatewayError(status: 404, type: "not_found", message: "no such route", reason: "not found")
    static let noRoute = GatewayError(
        status: 404, type: "not_found", message: "no route for this service type", reason: "no route")
    static let noEnabledCandidate = GatewayError(
        status: 503, type: "service_unavailable", message: "no enabled upstream for this route",
        reason: "no enabled candidate")
    static let headTooLarge = GatewayError(
        status: 431, type: "request_header_fields_too_large", message: "request head larger than allowed",
        reason: "head too large")
    static let badPath = GatewayError(
        status: 400, type: "bad_request", message: "path may not contain dot segments or encoded slashes",
        reason: "bad path")
    static let badChunked = GatewayError(
        status: 400, type: "bad_request", message: "invalid chunked body", reason: "invalid chunked body")
    static let methodNotAllowed = GatewayError(
        status: 405, type: "method_not_allowed", message: "TRACE and CONNECT are not forwarded",
        reason: "method not allowed")
    static let conflictingKeys = GatewayError(
        status: 400, type: "bad_request", message: "the request carries two different user keys",
        reason: "conflicting user keys")
    static let upstreamUnreachable = GatewayError(
        status: 502, type: "bad_gateway", message: "upstream unreachable", reason: "upstream unreachable")
    static let upstreamClosed = GatewayError(
        status: 502, type: "bad_gateway", message: "upstream closed the connection before responding",
        reason: "upstream closed")
    static let upstreamInvalid = GatewayError(
        status: 502, type: "bad_gateway", message: "invalid response from upstream", reason: "invalid upstream response"
    )
    static let upstreamTimeout = GatewayError(
        status: 504, type: "gateway_timeout", message: "upstream did not respond in time", reason: "upstream timeout")
    static let clientBodyTimeout = GatewayError(
        status: 408, type: "request_timeout", message: "the request body stopped arriving",
        reason: "client body timeout")

    /// 429 for a request over one of its user's limits; the message names the limit and its value.
    static func rateLimited(_ refusal: LimitRefusal) -> GatewayError {
        GatewayError(
            status: 429, type: "rate_limited", message: refusal.message,
            reason: "rate limited: \(refusal.kind.rawValue)")
    }

    static func badRequest(_ reason: String) -> GatewayError {
        GatewayError(status: 400, type: "bad_request", message: reason, reason: reason)
    }

    /// The full response: head and JSON body.
    func response(
        requestID: String, close: Bool, headOnly: Bool, allocator: ByteBufferAllocator,
        extraHeaders: [(String, String)] = []
    ) -> ByteBuffer {
        var body = ByteBuffer()
        body.reserveCapacity(96 + message.utf8.count + requestID.utf8.count)
        body.writeStaticString("{\"error\":{\"type\":\"")
        body.writeString(type)
        body.writeStaticString("\",\"message\":\"")
        body.writeString(message)
        body.writeStaticString("\",\"request_id\":\"")
        body.writeString(requestID)
        body.writeStaticString("\"}}")
        return LocalResponse.make(
            status: status, contentType: "application/json", body: body, requestID: requestID,
            close: close, headOnly: headOnly, allocator: allocator, extraHeaders: extraHeaders)
    }
}
