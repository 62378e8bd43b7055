import PiapiCompiler

/// libFuzzer entry: any bytes as a YAML config must compile to a table or to diagnostics,
/// never crash, hang or leak.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompile(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = ConfigCompiler.compile(bytes, fileName: "fuzz.yaml")
    return 0
}
