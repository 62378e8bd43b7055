import NIOCore
import NIOHTTP1
import NIOPosix

/// The listening mock upstream: binds first (so callers learn the port, even for port 0),
/// then serves every connection until `close()`.
public final class MockUpstreamServer: Sendable {
    typealias ServerChannel = NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>

    public let settings: MockUpstreamSettings
    /// The address actually bound (the real port when `settings.listen.port` was 0).
    public let localAddress: SocketAddress
    private let serverChannel: ServerChannel
    private let report: @Sendable (String) -> Void

    private init(
        settings: MockUpstreamSettings, serverChannel: ServerChannel, report: @escaping @Sendable (String) -> Void
    ) throws {
        guard let address = serverChannel.channel.localAddress else {
            throw MockUpstreamError.noLocalAddress
        }
        self.settings = settings
        self.serverChannel = serverChannel
        self.localAddress = address
        self.report = report
    }

    /// Binds the listening socket. `report` receives one readable line per request.
    public static func bind(
        settings: MockUpstreamSettings,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        report: @escaping @Sendable (String) -> Void
    ) async throws -> MockUpstreamServer {
        let channel: ServerChannel
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: settings.listen.host, port: settings.listen.port) { child in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.configureHTTPServerPipeline()
                        return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                            wrappingChannelSynchronously: child)
                    }
                }
        } catch {
            throw MockUpstreamError.cannotListen(settings.listen.description, String(describing: error))
        }
        return try MockUpstreamServer(settings: settings, serverChannel: channel, report: report)
    }

    /// Serves connections until `close()` is called; each connection runs in its own task.
    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            try await serverChannel.executeThenClose { inbound in
                for try await connection in inbound {
                    let handler = MockConnectionHandler(settings: settings, report: report)
                    group.addTask {
                        await handler.serve(connection)
                    }
                }
            }
        }
    }

    /// Stops accepting; `run()` returns once the open connections end.
    public func close() async {
        try? await serverChannel.channel.close()
    }
}
