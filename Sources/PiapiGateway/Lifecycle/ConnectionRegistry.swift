import NIOConcurrencyHelpers
import NIOCore

/// The open client connections: enforces `maxConnections` at accept time and lets a drain
/// reach (and finally close) every one of them.
final class ConnectionRegistry: Sendable {
    private let limit: Int
    private let channels = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])

    init(limit: Int) {
        self.limit = limit
    }

    /// Registers a new connection; false when the limit is reached (the caller closes it).
    func admit(_ channel: any Channel) -> Bool {
        let admitted = channels.withLockedValue { open in
            guard open.count < limit else { return false }
            open[ObjectIdentifier(channel)] = channel
            return true
        }
        if admitted {
            channel.closeFuture.whenComplete { [self] _ in
                channels.withLockedValue { _ = $0.removeValue(forKey: ObjectIdentifier(channel)) }
            }
        }
        return admitted
    }

    var count: Int { channels.withLockedValue { $0.count } }

    var all: [any Channel] { channels.withLockedValue { Array($0.values) } }
}
