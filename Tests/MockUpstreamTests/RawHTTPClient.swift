import NIOCore
import NIOPosix

/// A bare TCP client for the tests: sends request bytes as written and returns the answer
/// as the list of separate reads, so tests can see how a stream was delivered.
enum RawHTTPClient {
    static func exchange(port: Int, request: String) async throws -> [String] {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: request))
            var reads: [String] = []
            for try await buffer in inbound {
                reads.append(String(buffer: buffer))
            }
            return reads
        }
    }

    /// The body of a complete `Connection: close` answer (everything after the blank line).
    static func body(of reads: [String]) -> String {
        let whole = reads.joined()
        guard let range = whole.range(of: "\r\n\r\n") else { return "" }
        return String(whole[range.upperBound...])
    }
}
