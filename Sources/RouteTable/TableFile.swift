import Glibc

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

    /// Writes `bytes` next to `path` with mode 0600, syncs, and renames over `path`. The
    /// temporary file gets a random name and is created exclusively, so nothing planted in a
    /// shared directory (a file someone keeps a link to, a symlink) ever receives the keys; on
    /// any failure it is removed.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(TableError) {
        let (temp, descriptor) = try createTemporaryFile(beside: path)
        do {
            try fill(descriptor, with: bytes, named: temp)
            try check(rename(temp, path), "cannot rename \(temp) to \(path)")
        } catch {
            unlink(temp)
            throw error
        }
    }

    /// How many random names are tried before giving up; a clash is already improbable.
    static let temporaryNameAttempts = 16

    /// Creates `<path>.tmp-<random>` for writing, trying another name when one is taken.
    static func createTemporaryFile(beside path: String) throws(TableError) -> (path: String, descriptor: Int32) {
        for _ in 0..<temporaryNameAttempts {
            let temp = "\(path).tmp-\(String(UInt64.random(in: .min ... .max), radix: 16))"
            if let descriptor = try createExclusively(temp) { return (temp, descriptor) }
        }
        throw .io("cannot create a temporary file next to \(path): \(temporaryNameAttempts) names were taken")
    }

    /// Opens a new file at `path` for writing with mode 0600, or returns nil when the name is
    /// taken: O_EXCL refuses anything already there (a symlink too, even a dangling one) and
    /// O_NOFOLLOW makes sure a symlink is never followed.
    static func createExclusively(_ path: String) throws(TableError) -> Int32? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if descriptor >= 0 { return descriptor }
        let code = errno
        if code == EEXIST { return nil }
        throw .io("cannot create \(path): \(errnoDescription(code))")
    }

    /// Writes all of `bytes`, sets the mode to exactly 0600 (the umask may have narrowed it at
    /// creation) and syncs; the descriptor is closed in every case.
    private static func fill(_ descriptor: Int32, with bytes: [UInt8], named temp: String) throws(TableError) {
        var isOpen = true
        defer { if isOpen { close(descriptor) } }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                throw .io("cannot write \(temp): \(errnoDescription(code))")
            }
            written += n
        }
        try check(fchmod(descriptor, 0o600), "cannot set the mode of \(temp)")
        try check(fsync(descriptor), "cannot sync \(temp)")
        isOpen = false
        try check(close(descriptor), "cannot close \(temp)")
    }

    /// Turns a C result (0 or -1 with errno) into an error naming what failed.
    private static func check(_ result: Int32, _ what: @autoclosure () -> String) throws(TableError) {
        guard result == 0 else {
            let code = errno
            throw .io("\(what()): \(errnoDescription(code))")
        }
    }

    private static func errnoDescription(_ code: Int32 = errno) -> String {
        String(cString: strerror(code))
    }
}
