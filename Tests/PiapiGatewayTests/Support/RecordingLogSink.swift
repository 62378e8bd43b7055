import Foundation
import PiapiGateway

/// A `LogLineSink` that keeps lines in memory so tests can parse them back.
final class RecordingLogSink: LogLineSink, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [[UInt8]] = []  // guarded by `lock`

    func write(line: [UInt8]) {
        lock.withLock { lines.append(line) }
    }

    var text: [String] {
        lock.withLock { lines.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// Every line parsed as a JSON object; throws when one is not.
    func objects() throws -> [[String: Any]] {
        try lock.withLock { lines }.map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
                throw NotAnObject()
            }
            return object
        }
    }

    struct NotAnObject: Error {}
}
