import Glibc
import NIOConcurrencyHelpers

/// Writes each log line with one `write(2)` under a lock, so lines from many threads never
/// interleave and each is on its way (unbuffered) once the call returns.
public final class FileDescriptorLogSink: LogLineSink {
    /// Standard output, shared by every handler in the process.
    public static let standardOutput = FileDescriptorLogSink(fileDescriptor: STDOUT_FILENO)

    private let fileDescriptor: Int32
    private let lock = NIOLock()

    public init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    public func write(line: [UInt8]) {
        lock.withLock {
            line.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = Glibc.write(fileDescriptor, base + offset, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        return  // stdout closed or full disk: dropping a log line beats crashing
                    }
                    offset += written
                }
            }
        }
    }
}
