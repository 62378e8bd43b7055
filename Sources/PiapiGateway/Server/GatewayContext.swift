import NIOCore

/// What every client connection of one server shares, read-only: the knobs, the table
/// store, telemetry and the per-loop resources.
struct GatewayContext: Sendable {
    let configuration: GatewayConfiguration
    let tables: TableStore
    let telemetry: any Telemetry
    let loops: LoopResourcesRegistry
}
