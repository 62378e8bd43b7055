import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A raw-bytes HTTP client for tests: sends exactly the bytes given (valid or hostile) and
/// parses responses as they arrive, so a test can see a stream's first event early.
public final class TestConnection: Sendable {
    /// One parsed response (chunked bodies decoded).
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.0.lowercased() == name.lowercased() }?.1
        }

        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// The expected bytes did not arrive in time.
    public struct Timeout: Error {}

    private let state: NIOLockedValueBox<(bytes: [UInt8], closed: Bool)>
    private let channel: any Channel

    public init(port: Int) async throws {
        let state = NIOLockedValueBox<(bytes: [UInt8], closed: Bool)>(([], false))
        self.state = state
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(state: state))
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    public func send(_ text: String) async throws {
        try await send(Array(text.utf8))
    }

    public func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    public func close() async {
        try? await channel.close()
    }

    /// Waits until `condition` holds for the bytes received so far. It is checked once more
    /// after the deadline: a test task starved past it by a parallel run must not time out on
    /// bytes that did arrive.
    public func waitFor(seconds: Double = 10, _ condition: @Sendable ([UInt8], Bool) -> Bool) async throws {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < end {
            if state.withLockedValue({ condition($0.bytes, $0.closed) }) { return }
            try await Task.sleep(for: .milliseconds(2))
        }
        if state.withLockedValue({ condition($0.bytes, $0.closed) }) { return }
        throw Timeout()
    }

    /// Waits until the server closes the connection.
    public func waitForClose(seconds: Double = 10) async throws {
        try await waitFor(seconds: seconds) { _, closed in closed }
    }

    /// Every byte received and not yet taken by `readResponse`.
    public var receivedBytes: [UInt8] { state.withLockedValue { $0.bytes } }

    /// Whether the bytes received so far contain `text`.
    public func received(_ text: String) -> Bool {
        let needle = Array(text.utf8)
        return state.withLockedValue { Self.find(needle, in: $0.bytes) != nil }
    }

    /// Reads one complete response (body decoded when chunked), removing it from the buffer.
    public func readResponse(headRequest: Bool = false, seconds: Double = 10) async throws -> Response {
        let end = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while true {
            let lastLook = ContinuousClock.now >= end
            let parsed: Response? = state.withLockedValue { s in
                guard let (response, used) = Self.parse(s.bytes, closed: s.closed, headRequest: headRequest) else {
                    return nil
                }
                s.bytes.removeFirst(used)
                return response
            }
            if let parsed { return parsed }
            if lastLook { throw Timeout() }  // looked once more after the deadline, as `waitFor` does
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    /// One-shot helper: connect, send, read one response, close.
    public static func request(port: Int, _ raw: String) async throws -> Response {
        let connection = try await TestConnection(port: port)
        try await connection.send(raw)
        let response = try await connection.readResponse()
        await connection.close()
        return response
    }

    public static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int = 0) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0], Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }

    private static func parse(_ b: [UInt8], closed: Bool, headRequest: Bool) -> (Response, Int)? {
        guard let headEnd = find(Array("\r\n\r\n".utf8), in: b) else { return nil }
        let lines = String(decoding: b[..<headEnd], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        let headers: [(String, String)] = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        var response = Response(status: status, headers: headers, body: [])
        var i = headEnd + 4
        if headRequest || status == 204 || status == 304 || status < 200 { return (response, i) }
        if let length = response.header("content-length").flatMap(Int.init) {
            guard b.count - i >= length else { return nil }
            response.body = Array(b[i..<(i + length)])
            return (response, i + length)
        }
        if response.header("transfer-encoding")?.lowercased() == "chunked" {
            while true {
                guard let lineEnd = find(Array("\r\n".utf8), in: b, from: i) else { return nil }
                let sizeText = String(decoding: b[i..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
                guard let size = Int(sizeText, radix: 16) else { return nil }
                i = lineEnd + 2
                if size == 0 {
                    guard let trailerEnd = find(Array("\r\n".utf8), in: b, from: i) else { return nil }
                    return (response, trailerEnd + 2)
                }
                guard b.count >= i + size + 2 else { return nil }
                response.body.append(contentsOf: b[i..<(i + size)])
                i += size + 2
            }
        }
        guard closed else { return nil }
        response.body = Array(b[i...])
        return (response, b.count)
    }

    /// Appends every received byte to the shared state and notes the close.
    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        let state: NIOLockedValueBox<(bytes: [UInt8], closed: Bool)>

        init(state: NIOLockedValueBox<(bytes: [UInt8], closed: Bool)>) {
            self.state = state
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data)
            state.withLockedValue { $0.bytes.append(contentsOf: bytes.readableBytesView) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            state.withLockedValue { $0.closed = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
