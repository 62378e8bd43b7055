import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// Hands each event loop its own `LoopResources`, created on first use, so nothing the
/// hot path touches is shared between threads.
final class LoopResourcesRegistry: Sendable {
    private let connectTimeout: TimeAmount
    private let tls: NIOSSLContext
    private let byLoop = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBound<LoopResources>]>([:])

    init(connectTimeout: TimeAmount, tls: NIOSSLContext) {
        self.connectTimeout = connectTimeout
        self.tls = tls
    }

    /// Must be called on `loop`.
    func resources(for loop: any EventLoop) -> LoopResources {
        let key = ObjectIdentifier(loop)
        if let existing = byLoop.withLockedValue({ $0[key] }) { return existing.value }
        let fresh = LoopResources(pool: UpstreamPool(eventLoop: loop, connectTimeout: connectTimeout, tls: tls))
        byLoop.withLockedValue { $0[key] = NIOLoopBound(fresh, eventLoop: loop) }
        return fresh
    }

    /// Closes the idle upstream connections of every loop.
    func closeIdleConnections() {
        for bound in byLoop.withLockedValue({ Array($0.values) }) {
            bound.eventLoop.execute { bound.value.pool.closeIdle() }
        }
    }
}
