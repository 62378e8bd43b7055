#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing table files: the format is sniffed on read, and writes go to a
/// temporary file that is renamed into place, so a watcher never sees half a table.
public enum TableFile {
    public enum Format: String, Sendable {
        case binary
        case json
    }

    /// Decodes either encoding, telling them apart by the first bytes.
    public static func decode(_ bytes: [UInt8]) throws(TableError) -> RouteTable {
        if bytes.starts(with: BinaryFormat.magic) { return try BinaryTableDecoder.decode(bytes) }
        if bytes.first(where: { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }) == UInt8(ascii: "{") {
            return try JSONTableCodec.decode(bytes)
        }
        if bytes.isEmpty { throw .unrecognized("the file is empty") }
        throw .unrecognized("neither a binary (PIAPIRT) nor a JSON table")
    }

    public static func encode(_ table: RouteTable, as format: Format) -> [UInt8] {
        switch format {
        case .binary: BinaryTableEncoder.encode(table)
        case .json: JSONTableCodec.encode(table)
        }
    }

    /// Reads and decodes a table file.
    public static func load(path: String) throws(TableError) -> RouteTable {
        try decode(try read(path: path))
    }

    /// Reads a whole file, refusing anything larger than a table can be.
    public static func read(path: String) throws(TableError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot open \(path): \(errnoDescription())") }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .io("cannot read \(path): \(errnoDescription())")
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[..<n])
            guard bytes.count <= BinaryFormat.maxPayloadSize + BinaryFormat.headerSize else {
                throw .io("\(path) is larger than any route table")
            }
        }
        return bytes
    }

    /// Writes `bytes` next to `path` with mode 0600, syncs, and renames over `path`.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(TableError) {
        let temp = "\(path).tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io("cannot create \(temp): \(errnoDescription())") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let why = errnoDescription()
                close(fd)
                unlink(temp)
                throw .io("cannot write \(temp): \(why)")
            }
            written += n
        }
        // The umask may have narrowed the mode at creation; make sure it is exactly 0600.
        fchmod(fd, 0o600)
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temp, path) == 0 else {
            let why = errnoDescription()
            unlink(temp)
            throw .io("cannot write \(path): \(why)")
        }
    }

    private static func errnoDescription() -> String {
        String(cString: strerror(errno))
    }
}
