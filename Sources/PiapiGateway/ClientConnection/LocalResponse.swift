import NIOCore

/// Builds the few complete responses the gateway writes itself (errors, `/healthz`,
/// `/metrics`) straight into one buffer.
enum LocalResponse {
    /// `extraHeaders` are names and values the gateway made itself (never client input).
    static func make(
        status: Int, contentType: String, body: ByteBuffer, requestID: String, close: Bool,
        headOnly: Bool, allocator: ByteBufferAllocator, extraHeaders: [(String, String)] = []
    ) -> ByteBuffer {
        var out = allocator.buffer(capacity: 160 + body.readableBytes)
        out.writeStaticString("HTTP/1.1 ")
        out.writeString(String(status))
        out.writeStaticString(" ")
        out.writeString(reasonPhrase(status))
        out.writeStaticString("\r\ncontent-type: ")
        out.writeString(contentType)
        out.writeStaticString("\r\ncontent-length: ")
        out.writeString(String(body.readableBytes))
        out.writeStaticString("\r\nx-request-id: ")
        out.writeString(requestID)
        for (name, value) in extraHeaders {
            out.writeStaticString("\r\n")
            out.writeString(name)
            out.writeStaticString(": ")
            out.writeString(value)
        }
        if status == 405 { out.writeStaticString("\r\nallow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS") }
        if close { out.writeStaticString("\r\nconnection: close") }
        out.writeStaticString("\r\n\r\n")
        if !headOnly {
            var body = body
            out.writeBuffer(&body)
        }
        return out
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Error"
        }
    }
}
