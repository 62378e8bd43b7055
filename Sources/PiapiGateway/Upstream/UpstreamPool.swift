import NIOCore
import NIOPosix
import NIOSSL

/// Keep-alive upstream connections for one event loop, by origin: client connections on
/// that loop borrow from it, so a request and its upstream connection never change threads.
final class UpstreamPool {
    let eventLoop: any EventLoop
    private let connectTimeout: TimeAmount
    private let tls: NIOSSLContext
    private let maxIdlePerOrigin: Int
    /// Mutated only in place (`idle[origin]?.popLast()`, `idle[origin, default: []].append`):
    /// copying a list out and storing it back copies the whole array on every request, since
    /// the dictionary still holds it.
    private var idle: [UpstreamOrigin: [UpstreamChannelHandler]] = [:]

    /// The default idle cap of 512 per origin and loop is nginx's `keepalive 512` in
    /// bench/gateway.sh. It must exceed the requests one loop has in flight to one origin:
    /// at 128, one loop serving 256 busy clients closed an upstream connection after most
    /// responses and opened a new one for the next request (docs/performance.md).
    init(eventLoop: any EventLoop, connectTimeout: TimeAmount, tls: NIOSSLContext, maxIdlePerOrigin: Int = 512) {
        self.eventLoop = eventLoop
        self.connectTimeout = connectTimeout
        self.tls = tls
        self.maxIdlePerOrigin = maxIdlePerOrigin
    }

    /// Hands over an idle connection at once, or opens a new one (always a new one when
    /// `fresh`); `completion` runs on the loop.
    func acquire(
        _ origin: UpstreamOrigin, fresh: Bool = false,
        completion: @escaping (Result<UpstreamChannelHandler, any Error>) -> Void
    ) {
        if !fresh {
            while let connection = idle[origin]?.popLast() {
                if connection.isUsable {
                    completion(.success(connection))
                    return
                }
            }
        }
        connect(origin, completion: completion)
    }

    /// Takes a connection back after a complete response.
    func release(_ connection: UpstreamChannelHandler) {
        guard connection.isUsable else { return }
        guard idle[connection.origin, default: []].count < maxIdlePerOrigin else {
            connection.abandon()
            return
        }
        idle[connection.origin, default: []].append(connection)
    }

    /// Forgets a connection that closed or was abandoned.
    func remove(_ connection: UpstreamChannelHandler) {
        guard let i = idle[connection.origin]?.lastIndex(where: { $0 === connection }) else { return }
        idle[connection.origin]?.remove(at: i)
    }

    /// Closes every idle connection (the server is shutting down).
    func closeIdle() {
        let all = idle.values.flatMap { $0 }
        idle = [:]
        for connection in all { connection.abandon() }
    }

    private func connect(
        _ origin: UpstreamOrigin, completion: @escaping (Result<UpstreamChannelHandler, any Error>) -> Void
    ) {
        let tls = origin.scheme == .https ? self.tls : nil
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.autoRead, value: false)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: origin.serverName))
                    }
                    try channel.pipeline.syncOperations.addHandler(UpstreamChannelHandler(origin: origin))
                }
            }
        bootstrap.connect(host: origin.host, port: origin.port).assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                do {
                    let connection = try channel.pipeline.syncOperations.handler(type: UpstreamChannelHandler.self)
                    connection.pool = self
                    completion(.success(connection))
                } catch {
                    channel.close(promise: nil)
                    completion(.failure(error))
                }
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }
}
