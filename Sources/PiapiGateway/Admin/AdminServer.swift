import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// The admin listener (`--admin-listen`): its own socket, never the public port, speaking
/// HTTP/1.1 through NIOHTTP1's server pipeline (it is not the hot path). Each connection is
/// served by a task off the event loops, so building an answer never delays proxied traffic.
public final class AdminServer: Sendable {
    /// A connection that sends nothing for this long is closed.
    public static let idleTimeout: TimeAmount = .seconds(60)

    private let api: AdminAPI
    private let listen: ListenAddress
    private let group: any EventLoopGroup
    private let logger: Logger
    private let running = NIOLockedValueBox<(channel: any Channel, task: Task<Void, Never>)?>(nil)

    public init(api: AdminAPI, listen: ListenAddress, group: any EventLoopGroup, logger: Logger) {
        self.api = api
        self.listen = listen
        self.group = group
        self.logger = logger
    }

    private typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    /// Binds and starts serving; returns the bound address (port 0 picks a free one).
    public func start() async throws -> SocketAddress {
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: listen.host, port: listen.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(IdleStateHandler(readTimeout: Self.idleTimeout))
                    try pipeline.addHandler(IdleCloser())
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        guard let address = server.channel.localAddress else {
            try? await server.channel.close()
            throw ChannelError.unknownLocalAddress
        }
        let api = self.api
        let task = Task<Void, Never> {
            _ = try? await withThrowingDiscardingTaskGroup { connections in
                try await server.executeThenClose { inbound in
                    for try await connection in inbound {
                        connections.addTask { await Self.serve(connection, api: api) }
                    }
                }
            }
        }
        running.withLockedValue { $0 = (server.channel, task) }
        logger.info(
            "admin listening",
            metadata: [
                "address": "\(ListenAddress(host: address.ipAddress ?? listen.host, port: address.port ?? 0))",
                "token": "\(api.authorization.requiresToken ? "required" : "none")",
            ])
        return address
    }

    /// Stops accepting and closes every admin connection.
    public func stop() async {
        guard
            let (channel, task) = running.withLockedValue({ current in
                defer { current = nil }
                return current
            })
        else {
            return
        }
        try? await channel.close()
        task.cancel()
        await task.value
    }

    /// Answers the requests of one connection in order until it closes or asks to.
    private static func serve(_ connection: Connection, api: AdminAPI) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                case .body:
                    continue
                case .end:
                    guard let request = head else { continue }
                    head = nil
                    let response = await api.respond(
                        method: request.method.rawValue, uri: request.uri,
                        authorization: request.headers.first(name: "authorization"))
                    var headers = HTTPHeaders(response.headers)
                    headers.add(name: "Content-Length", value: String(response.body.count))
                    let keepAlive = request.isKeepAlive
                    if !keepAlive { headers.add(name: "Connection", value: "close") }
                    try await outbound.write(
                        .head(
                            HTTPResponseHead(
                                version: request.version,
                                status: HTTPResponseStatus(statusCode: response.status),
                                headers: headers)))
                    if request.method != .HEAD, !response.body.isEmpty {
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                    }
                    try await outbound.write(.end(nil))
                    if !keepAlive { return }
                }
            }
        }
    }
}

/// Closes a connection that stayed silent for `AdminServer.idleTimeout`.
private final class IdleCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
