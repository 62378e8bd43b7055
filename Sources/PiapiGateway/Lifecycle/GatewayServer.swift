import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// The listening gateway: accepts client connections and serves `/piapi/…`, `/healthz` and
/// `/metrics`, each connection on one event loop together with its upstream connections.
public final class GatewayServer: Sendable {
    public let configuration: GatewayConfiguration
    public let tables: TableStore
    public let telemetry: any Telemetry
    /// Candidate health and rotations, shared by every connection of this server.
    public let candidates: CandidateRouter
    /// Every user's limit counters on this replica.
    public let limits: LimitStore
    private let group: any EventLoopGroup
    private let logger: Logger
    private let connections: ConnectionRegistry
    private let listener = NIOLockedValueBox<(any Channel)?>(nil)
    private let loops = NIOLockedValueBox<LoopResourcesRegistry?>(nil)

    /// `candidates` defaults to a fresh router on `tables` with the system clock, `limits` to
    /// empty counters with the system clock.
    public init(configuration: GatewayConfiguration, tables: TableStore, telemetry: any Telemetry,
                group: any EventLoopGroup, logger: Logger, candidates: CandidateRouter? = nil, limits: LimitStore? = nil) {
        self.configuration = configuration
        self.tables = tables
        self.telemetry = telemetry
        self.candidates = candidates ?? CandidateRouter(tables: tables, adaptive: configuration.adaptive)
        self.limits = limits ?? LimitStore()
        self.group = group
        self.logger = logger
        connections = ConnectionRegistry(limit: configuration.maxConnections)
    }

    /// The number of open client connections.
    public var openConnections: Int { connections.count }

    /// Binds and starts accepting; returns the bound address (port 0 picks a free one).
    /// Fails when the address cannot be bound or the upstream CA file cannot be read.
    public func start() async throws -> SocketAddress {
        let loops = LoopResourcesRegistry(connectTimeout: configuration.connectTimeout,
                                          tls: try Self.makeTLSContext(configuration))
        self.loops.withLockedValue { $0 = loops }
        let shared = GatewayContext(configuration: configuration, tables: tables, telemetry: telemetry, loops: loops,
                                    candidates: candidates, limits: limits)
        let connections = self.connections
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                guard connections.admit(channel) else {
                    channel.close(promise: nil)
                    return channel.eventLoop.makeSucceededVoidFuture()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let resources = shared.loops.resources(for: channel.eventLoop)
                    try channel.pipeline.syncOperations.addHandler(ClientConnectionHandler(shared: shared, resources: resources))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        listener.withLockedValue { $0 = channel }
        guard let address = channel.localAddress else { throw ChannelError.unknownLocalAddress }
        logger.info("listening", metadata: ["address": "\(address)"])
        return address
    }

    /// Stops accepting, lets in-flight requests finish for at most `timeout`, then closes
    /// every connection.
    public func drain(timeout: TimeAmount) async {
        let channel = listener.withLockedValue { current -> (any Channel)? in
            defer { current = nil }
            return current
        }
        try? await channel?.close()
        for connection in connections.all {
            connection.pipeline.fireUserInboundEventTriggered(DrainRequest())
        }
        let end = NIODeadline.now() + timeout
        while connections.count > 0, NIODeadline.now() < end {
            try? await Task.sleep(nanoseconds: 20_000_000)
        }
        for connection in connections.all {
            try? await connection.close()
        }
        loops.withLockedValue { $0 }?.closeIdleConnections()
    }

    private static func makeTLSContext(_ configuration: GatewayConfiguration) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = configuration.upstreamCAFile {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(file))]
        }
        return try NIOSSLContext(configuration: tls)
    }
}
