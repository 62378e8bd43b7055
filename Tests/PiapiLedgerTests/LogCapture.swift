import Logging
import NIOConcurrencyHelpers

/// Collects every line a `Logger` writes (message and metadata, rendered), so tests can
/// count error lines and search them for a password.
final class LogCapture: Sendable {
    private let lines = NIOLockedValueBox<[(level: Logger.Level, text: String)]>([])

    var logger: Logger {
        let lines = lines
        var logger = Logger(label: "piapi-ledger-test") { _ in Handler(lines: lines) }
        logger.logLevel = .debug
        return logger
    }

    var all: [String] { lines.withLockedValue { $0.map(\.text) } }

    func count(_ level: Logger.Level, containing fragment: String) -> Int {
        lines.withLockedValue { $0.filter { $0.level == level && $0.text.contains(fragment) }.count }
    }

    private struct Handler: LogHandler {
        let lines: NIOLockedValueBox<[(level: Logger.Level, text: String)]>
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { $1 }
            let text =
                "\(event.message) "
                + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            lines.withLockedValue { $0.append((event.level, text)) }
        }
    }
}
