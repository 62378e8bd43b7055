import NIOCore

@testable import PiapiGateway

/// libFuzzer entry for the usage tap's parsers (SSE framing, chunk framing, inflation, the
/// JSON parser and the three dialects). The first byte picks the body's shape — event stream
/// or JSON, identity/gzip/deflate, chunked or not — and a slice length; the rest is the body.
/// Besides "never crash", it checks that the tap stays inside its memory bounds, that cutting
/// the body into other slices never changes the report, and that a known report obeys §8
/// (counts within 0…2^53, reasoning within output).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzUsageTap(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let mode = data[0]
    let body = UnsafeBufferPointer(start: data + 1, count: size - 1)
    let contentType = mode & 1 == 0 ? "text/event-stream" : "application/json"
    let encoding: String? = [nil, "gzip", "deflate", nil][Int(mode >> 1 & 3)]
    let chunked = mode & 8 != 0
    let slice = Int(mode >> 4) + 1

    func run(sliceLength: Int) -> UsageReport {
        var tap = UsageTap(status: 200, contentType: contentType, contentEncoding: encoding, chunked: chunked)
        var start = 0
        while start < body.count {
            let end = min(body.count, start + sliceLength)
            tap.observe(ByteBuffer(bytes: UnsafeBufferPointer(rebasing: body[start..<end])))
            precondition(tap.retainedBytes <= UsageTap.maxJSONBodyBytes + 4096, "tap memory over its bound")
            start = end
        }
        return tap.finish(complete: true)
    }

    let sliced = run(sliceLength: slice)
    let whole = run(sliceLength: max(body.count, 1))
    precondition(sliced == whole, "the report depends on how the body was cut")
    if whole.unknownReason == nil {
        precondition(whole.dialect != nil, "a known report without a dialect")
        for count in [whole.input, whole.cacheRead, whole.cacheWrite, whole.output, whole.reasoning].compactMap({ $0 })
        {
            precondition(count >= 0 && count <= UsageReading.maxCount, "count out of range")
        }
        if let output = whole.output, let reasoning = whole.reasoning {
            precondition(reasoning <= output, "reasoning exceeds output")
        }
    } else {
        precondition(whole.dialect == nil && whole.input == nil && whole.output == nil, "an unknown report with counts")
    }

    // The bytes as one WebSocket message, and straight into the JSON parser.
    var socket = UsageTap.webSocket()
    socket.observeMessage(ByteBuffer(bytes: body))
    _ = socket.finish(complete: false)
    _ = ShallowJSONParser.parse(UnsafeRawBufferPointer(body))
    return 0
}
