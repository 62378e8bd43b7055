import Crypto
import RouteTable

/// Hashes a presented user key straight into a `KeyDigest`, without the intermediate arrays
/// of `KeyDigest(ofKey:)`: this runs once per request.
enum UserKeyDigest {
    static func of(_ key: UnsafeRawBufferPointer) -> KeyDigest {
        SHA256.hash(data: key).withUnsafeBytes { d in
            KeyDigest(
                words: (
                    d.loadUnaligned(fromByteOffset: 0, as: UInt64.self).bigEndian,
                    d.loadUnaligned(fromByteOffset: 8, as: UInt64.self).bigEndian,
                    d.loadUnaligned(fromByteOffset: 16, as: UInt64.self).bigEndian,
                    d.loadUnaligned(fromByteOffset: 24, as: UInt64.self).bigEndian
                ))
        }
    }
}
