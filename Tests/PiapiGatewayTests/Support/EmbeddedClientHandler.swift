import NIOCore
import NIOSSL

@testable import PiapiGateway

/// A client connection handler wired to a one-user table and no reachable upstream, for tests
/// that drive it on an `EmbeddedChannel` (no socket, no thread).
enum EmbeddedClientHandler {
    static func make(on loop: any EventLoop) throws -> ClientConnectionHandler {
        let tls = try NIOSSLContext(configuration: .makeClientConfiguration())
        let table = try ServingTable(table: GatewayHarness.table(upstreamPort: 1), environment: [:])
        let tables = TableStore(table)
        let shared = GatewayContext(
            configuration: GatewayConfiguration(), tables: tables,
            telemetry: RecordingTelemetry(),
            loops: LoopResourcesRegistry(connectTimeout: .seconds(1), tls: tls),
            candidates: CandidateRouter(tables: tables), limits: LimitStore())
        let resources = LoopResources(pool: UpstreamPool(eventLoop: loop, connectTimeout: .seconds(1), tls: tls))
        return ClientConnectionHandler(shared: shared, resources: resources)
    }
}
