import NIOCore
import NIOSSL

/// What the client connections of one event loop share: the upstream pool and the table
/// prepared for the wire (rebuilt when a reload swaps the table).
final class LoopResources {
    let pool: UpstreamPool
    var requestIDs = RequestIDGenerator()
    private var prepared: PreparedTable?

    init(pool: UpstreamPool) {
        self.pool = pool
    }

    func prepared(for serving: ServingTable) -> PreparedTable {
        if let prepared, prepared.serving === serving { return prepared }
        let fresh = PreparedTable(serving)
        prepared = fresh
        return fresh
    }
}
