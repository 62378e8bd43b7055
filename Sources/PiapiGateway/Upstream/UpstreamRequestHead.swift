import NIOCore

/// Writes the request head sent upstream, applying the forwarding rules: the target is
/// base path + `<rest>` with the joined query, hop-by-hop and client credential headers are
/// dropped, and Host, X-Forwarded-*, X-Request-ID, the credential and the framing are set.
enum UpstreamRequestHead {
    /// `webSocket`: the request is a WebSocket upgrade (`WebSocketUpgrade.isRequested`), the
    /// one upgrade that is carried upstream.
    static func write(
        _ head: RequestHead, rest: Range<Int>, target: PreparedTarget, requestID: String,
        clientAddress: String, webSocket: Bool = false, into out: inout ByteBuffer
    ) {
        head.bytes.withUnsafeReadableBytes { b in
            out.writeBytes(UnsafeRawBufferPointer(rebasing: b[head.method]))
            out.writeInteger(ASCII.space)
            out.writeBytes(target.basePath)
            if !rest.isEmpty {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: b[rest]))
            } else if target.basePath.isEmpty {
                out.writeInteger(UInt8(ascii: "/"))
            }
            writeQuery(b, head.query, target: target, into: &out)
            out.writeStaticString(" HTTP/1.1\r\n")
            out.writeBytes(target.hostLine)
            // Each name looked up in `Connection`'s set is lower-cased into this one buffer.
            var name: [UInt8] = []
            for field in head.fields {
                switch field.role {
                case .other:
                    if target.injectionMode == .header, ASCII.equalsIgnoringCase(b, field.name, target.injectedName) {
                        continue
                    }
                    if !head.connectionTokens.isEmpty {
                        name.removeAll(keepingCapacity: true)
                        name.append(contentsOf: b[field.name].lazy.map(ASCII.lower))
                        if head.connectionTokens.contains(name) { continue }
                    }
                    if ASCII.equalsIgnoringCase(b, field.name, acceptEncoding) {
                        out.writeStaticString("accept-encoding: ")
                        out.writeBytes(AcceptEncodingFilter.filtered(b, field.value))
                        out.writeStaticString("\r\n")
                        continue
                    }
                    out.writeBytes(UnsafeRawBufferPointer(rebasing: b[field.line]))
                case .requestID, .authorization, .apiKey, .contentLength, .transferEncoding, .connection, .hopByHop,
                    .host,
                    .forwardedFor, .forwardedProto, .expect:
                    continue
                }
            }
            out.writeStaticString("x-forwarded-for: ")
            if let previous = head.forwardedFor {
                out.writeBytes(UnsafeRawBufferPointer(rebasing: b[previous]))
                out.writeStaticString(", ")
            }
        }
        out.writeString(clientAddress)
        out.writeStaticString("\r\nx-forwarded-proto: http\r\nx-request-id: ")
        out.writeString(requestID)
        out.writeStaticString("\r\n")
        if target.injectionMode == .header { out.writeBytes(target.injectedBytes) }
        if webSocket { out.writeStaticString(WebSocketUpgrade.upstreamHeaderLines) }
        switch head.framing {
        case .chunked: out.writeStaticString("transfer-encoding: chunked\r\n")
        case .length(let n):
            out.writeStaticString("content-length: ")
            out.writeString(String(n))
            out.writeStaticString("\r\n")
        case .none, .untilClose:
            if head.hadZeroContentLength { out.writeStaticString("content-length: 0\r\n") }
        }
        out.writeStaticString("\r\n")
    }

    private static let acceptEncoding = Array("accept-encoding".utf8)

    private static func writeQuery(
        _ b: UnsafeRawBufferPointer, _ query: Range<Int>?, target: PreparedTarget,
        into out: inout ByteBuffer
    ) {
        let injectsQuery = target.injectionMode == .query
        guard !target.baseQuery.isEmpty || !(query ?? 0..<0).isEmpty || injectsQuery else { return }
        var joined: [UInt8] = []
        joined.reserveCapacity(target.baseQuery.count + (query?.count ?? 0) + target.injectedBytes.count + 2)
        joined.append(contentsOf: target.baseQuery)
        if let query {
            _ = QueryItems.appendFiltered(
                b, query, droppingName: injectsQuery ? target.injectedName : nil,
                separatorNeeded: !joined.isEmpty, to: &joined)
        }
        if injectsQuery {
            if !joined.isEmpty { joined.append(UInt8(ascii: "&")) }
            joined.append(contentsOf: target.injectedBytes)
        }
        out.writeInteger(UInt8(ascii: "?"))
        out.writeBytes(joined)
    }
}
