import Crypto
import RouteTable

/// libFuzzer entry: any bytes as a table file decode or throw; a table that decodes survives
/// an encode/decode round trip in both formats unchanged.
///
/// The first byte picks the mode. Even: the rest is the whole file. Odd: the rest is a binary
/// payload that gets a valid header (length and SHA-256) first, so that mutations reach the
/// payload decoder instead of stopping at the checksum.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTableDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let bytes = data[0] & 1 == 1 ? withValidHeader(rest) : rest
    guard let table = try? TableFile.decode(bytes) else { return 0 }
    for format in [TableFile.Format.binary, .json] {
        let again = try? TableFile.decode(TableFile.encode(table, as: format))
        precondition(again == table, "round trip through \(format) changed the table")
    }
    return 0
}

/// A binary table file around `payload`: magic, version, flags, length and checksum.
func withValidHeader(_ payload: [UInt8]) -> [UInt8] {
    var file = BinaryFormat.magic
    file += [
        UInt8(truncatingIfNeeded: BinaryFormat.version), UInt8(truncatingIfNeeded: BinaryFormat.version >> 8), 0, 0,
    ]
    let length = UInt32(payload.count)
    file += (0..<4).map { UInt8(truncatingIfNeeded: length >> ($0 * 8)) }
    file += Array(SHA256.hash(data: payload))
    return file + payload
}
