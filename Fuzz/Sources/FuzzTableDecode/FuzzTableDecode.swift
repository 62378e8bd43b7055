import RouteTable

/// libFuzzer entry: any bytes as a table file decode or throw; a table that decodes survives
/// an encode/decode round trip in both formats unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTableDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let table = try? TableFile.decode(bytes) else { return 0 }
    for format in [TableFile.Format.binary, .json] {
        let again = try? TableFile.decode(TableFile.encode(table, as: format))
        precondition(again == table, "round trip through \(format) changed the table")
    }
    return 0
}
