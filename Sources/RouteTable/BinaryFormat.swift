/// Layout of `routes.bin`, version 2 (all integers little-endian):
///
///     header   magic "PIAPIRT\0" · u16 version · u16 flags (0) · u32 payload length · 32-byte SHA-256 of payload
///     payload  strings: u32 count, each u32 length + UTF-8 bytes
///              targets: u32 count, each provider·key·service (u32 string ids), u8 scheme, host (id),
///                       u16 port, base path (id), base query (id), u8 mode, name (id), template
///              prices:  u32 count, sorted by model name (UTF-8 bytes), each model (id) and four f64 —
///                       input, output, cacheRead, cacheWrite (USD per million tokens)
///              users:   u32 count, each 32-byte key digest, name (id), limits, u16 route count, each
///                       service (id), u8 strategy, u16 candidate count, each u32 target, u32 weight, u8 flags
///     template u16 part count, each u8 kind (0 literal, 1 variable) + string id
///     limits   u8 mask (bit i set: the i-th of `UserLimits.Field.allCases` is limited), then one
///              u64 per set bit in that order: the count, or for the USD fields an f64
///     f64      the IEEE 754 bit pattern as a u64
///
/// Version 1 (still read) is the same without the prices section and without the per-user limits.
/// Strings are stored once and referred to by id, which keeps 10,000 users well under 1 MB.
public enum BinaryFormat {
    public static let magic: [UInt8] = Array("PIAPIRT\0".utf8)
    /// The version this build writes.
    public static let version: UInt16 = 2
    /// Every version this build reads.
    public static let readableVersions: ClosedRange<UInt16> = 1...2
    public static let headerSize = 8 + 2 + 2 + 4 + 32
    /// Far above any real table; bounds what a corrupt length can make the decoder allocate.
    public static let maxPayloadSize = 256 << 20
}
