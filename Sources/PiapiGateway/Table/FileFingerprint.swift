import Glibc

/// What `stat` says about the file a path finally resolves to (through every symlink): it
/// changes on any write, rename or symlink swap, so a poll can tell "something changed" cheaply.
struct FileFingerprint: Hashable, Sendable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modifiedSeconds: Int
    let modifiedNanoseconds: Int

    /// `nil` when nothing is at `path` (or it cannot be examined).
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = Int(info.st_mtim.tv_sec)
        modifiedNanoseconds = Int(info.st_mtim.tv_nsec)
    }

    /// True when the file was last modified well before now. A write since then would have
    /// moved the mtime to "now", so an unchanged fingerprint this old means unchanged content;
    /// a fresh one might hide a second write within the clock's granularity.
    var isSettled: Bool {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return now.tv_sec - modifiedSeconds >= 2
    }
}
