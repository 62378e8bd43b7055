import Logging
import NIOCore
import NIOPosix

/// The listening gateway: accepts client connections and serves `/piapi/…`, `/healthz` and
/// `/metrics`. (Skeleton: the proxy work fills this in.)
public final class GatewayServer: Sendable {
    public let configuration: GatewayConfiguration
    public let tables: TableStore
    public let telemetry: any Telemetry

    public init(configuration: GatewayConfiguration, tables: TableStore, telemetry: any Telemetry,
                group: any EventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.tables = tables
        self.telemetry = telemetry
    }

    /// Binds and starts accepting; returns the bound address (port 0 picks a free one).
    public func start() async throws -> SocketAddress {
        fatalError("not implemented yet")
    }

    /// Stops accepting, lets in-flight requests finish for at most `timeout`, then closes
    /// every connection.
    public func drain(timeout: TimeAmount) async {}
}
