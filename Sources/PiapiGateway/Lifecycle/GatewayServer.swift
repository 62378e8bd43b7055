import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
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
    /// The listening channel and the helper that quiesces it and every connection it accepted.
    private let serving = NIOLockedValueBox<(listener: any Channel, quiescing: ServerQuiescingHelper)?>(nil)
    private let loops = NIOLockedValueBox<LoopResourcesRegistry?>(nil)

    /// `candidates` defaults to a fresh router on `tables` with the system clock, `limits` to
    /// empty counters with the system clock.
    public init(
        configuration: GatewayConfiguration, tables: TableStore, telemetry: any Telemetry,
        group: any EventLoopGroup, logger: Logger, candidates: CandidateRouter? = nil, limits: LimitStore? = nil
    ) {
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
        let loops = LoopResourcesRegistry(
            connectTimeout: configuration.connectTimeout,
            tls: try Self.makeTLSContext(configuration))
        self.loops.withLockedValue { $0 = loops }
        let shared = GatewayContext(
            configuration: configuration, tables: tables, telemetry: telemetry, loops: loops,
            candidates: candidates, limits: limits)
        let connections = self.connections
        let quiescing = ServerQuiescingHelper(group: group)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        ConnectionAdmissionHandler(connections: connections),
                        quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let resources = shared.loops.resources(for: channel.eventLoop)
                    try channel.pipeline.syncOperations.addHandler(
                        ClientConnectionHandler(shared: shared, resources: resources))
                }
            }
            .bind(host: configuration.host, port: configuration.port)
            .get()
        serving.withLockedValue { $0 = (channel, quiescing) }
        guard let address = channel.localAddress else { throw ChannelError.unknownLocalAddress }
        logger.info("listening", metadata: ["address": "\(address)"])
        return address
    }

    /// Stops accepting, lets in-flight requests finish for at most `timeout`, then closes
    /// every connection still open. Returns as soon as the last connection has closed.
    ///
    /// The quiescing helper closes the listener, sends `ChannelShouldQuiesceEvent` down every
    /// connection (idle ones close, a request in flight is answered with `Connection: close`)
    /// and completes its promise when the last of them has closed. A task scheduled for
    /// `timeout` closes whatever is still open then, which completes the promise too.
    public func drain(timeout: TimeAmount) async {
        guard let (listener, quiescing) = serving.withLockedValue({ $0 }) else { return }
        let drained = listener.eventLoop.makePromise(of: Void.self)
        quiescing.initiateShutdown(promise: drained)
        let connections = self.connections
        let overdue = listener.eventLoop.scheduleTask(in: timeout) { connections.closeAll() }
        // It fails only when the listener cannot be closed: nothing but this drain closes it.
        try? await drained.futureResult.get()
        overdue.cancel()
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
