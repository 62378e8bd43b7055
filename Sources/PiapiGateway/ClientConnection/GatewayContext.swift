import NIOCore

/// What every client connection of one server shares, read-only: the knobs, the table
/// store, telemetry, the per-loop resources, the candidate health of every route and the
/// users' limit counters.
struct GatewayContext: Sendable {
    let configuration: GatewayConfiguration
    let tables: TableStore
    let telemetry: any Telemetry
    let loops: LoopResourcesRegistry
    let candidates: CandidateRouter
    let limits: LimitStore
}
