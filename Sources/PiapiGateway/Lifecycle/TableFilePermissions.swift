import Glibc

/// Whether others than the owner can change the table piapi-serve follows. Whoever can write
/// the table decides where provider keys are sent: a table in a group- or world-writable
/// place is worth a warning at start (found by a review: a shared temp directory).
enum TableFilePermissions {
    /// The file or its directory, whichever is writable by group or others, or nil.
    static func looselyWritable(_ path: String) -> String? {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        for candidate in [path, directory.isEmpty ? "/" : directory] {
            var info = stat()
            guard stat(candidate, &info) == 0 else { continue }
            // A sticky shared directory (/tmp) counts too: others can leave a file there to be renamed over ours.
            if info.st_mode & (S_IWGRP | S_IWOTH) != 0 { return candidate }
        }
        return nil
    }
}
