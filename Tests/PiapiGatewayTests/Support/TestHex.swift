import Crypto

/// Hex digests for comparing bodies by SHA-256.
enum TestHex {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] }, as: UTF8.self)
    }

    static func sha256(_ bytes: [UInt8]) -> String {
        encode(Array(SHA256.hash(data: bytes)))
    }
}
