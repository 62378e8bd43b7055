import NIOConcurrencyHelpers
import NIOCore

/// The open client connections: enforces `maxConnections` at accept time, counts them for the
/// admin API, and lets a drain whose timeout ran out close the ones still open (the quiescing
/// helper that runs the drain keeps its own list, but does not hand it out).
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

    /// Closes every connection still open, whatever it is doing.
    func closeAll() {
        for channel in channels.withLockedValue({ Array($0.values) }) {
            channel.close(promise: nil)
        }
    }
}
