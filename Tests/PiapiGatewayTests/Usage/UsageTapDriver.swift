import CZlib
import NIOCore

@testable import PiapiGateway

/// Feeds bodies to a `UsageTap` the way the gateway does (slices of the forwarded bytes) and
/// builds the encoded variants the tests need: gzip/zlib/raw deflate and chunked framing.
enum UsageTapDriver {
    /// The report for `body` fed in the given slice lengths (the rest in one last slice).
    static func report(
        _ body: [UInt8], contentType: String?, encoding: String? = nil, chunked: Bool = false, status: Int = 200,
        slices: [Int] = [], complete: Bool = true
    ) -> UsageReport {
        var tap = UsageTap(status: status, contentType: contentType, contentEncoding: encoding, chunked: chunked)
        for slice in cut(body, slices) {
            tap.observe(ByteBuffer(bytes: slice))
        }
        return tap.finish(complete: complete)
    }

    /// `bytes` cut into pieces of the given lengths, then the rest (empty pieces dropped).
    static func cut(_ bytes: [UInt8], _ lengths: [Int]) -> [ArraySlice<UInt8>] {
        var pieces: [ArraySlice<UInt8>] = []
        var start = 0
        for length in lengths where start < bytes.count {
            let end = min(bytes.count, start + length)
            pieces.append(bytes[start..<end])
            start = end
        }
        if start < bytes.count { pieces.append(bytes[start...]) }
        return pieces
    }

    /// Slice lengths from 1 to `max`, reproducible from `seed`.
    static func randomSlices(count: Int, seed: UInt64, max: Int = 97) -> [Int] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in Int.random(in: 1...max, using: &generator) }
    }

    /// `payload` compressed by zlib: `windowBits` 31 for gzip, 15 for zlib-wrapped deflate,
    /// −15 for raw deflate.
    static func compress(_ payload: [UInt8], windowBits: Int32) -> [UInt8] {
        var stream = z_stream()
        return withUnsafeMutablePointer(to: &stream) { s in
            precondition(
                deflateInit2_(
                    s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
                    zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
            defer { deflateEnd(s) }
            var output = [UInt8](repeating: 0, count: Int(deflateBound(s, uLong(payload.count))) + 64)
            var input = payload
            let produced = input.withUnsafeMutableBufferPointer { inBuffer in
                output.withUnsafeMutableBufferPointer { outBuffer in
                    s.pointee.next_in = inBuffer.baseAddress
                    s.pointee.avail_in = uInt(inBuffer.count)
                    s.pointee.next_out = outBuffer.baseAddress
                    s.pointee.avail_out = uInt(outBuffer.count)
                    precondition(deflate(s, Z_FINISH) == Z_STREAM_END)
                    return outBuffer.count - Int(s.pointee.avail_out)
                }
            }
            return Array(output[..<produced])
        }
    }

    static func gzip(_ payload: [UInt8]) -> [UInt8] {
        compress(payload, windowBits: 31)
    }

    /// `payload` in chunked transfer framing, chunks of the given sizes (cycled), with a
    /// chunk extension on the first and a trailer at the end.
    static func chunked(_ payload: [UInt8], sizes: [Int] = [7, 300, 1, 4096]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        var index = 0
        while start < payload.count {
            let end = min(payload.count, start + sizes[index % sizes.count])
            out += Array(String(end - start, radix: 16).utf8)
            if index == 0 { out += Array(";name=value".utf8) }
            out += [13, 10] + payload[start..<end] + [13, 10]
            start = end
            index += 1
        }
        out += Array("0\r\nx-trailer: 1\r\n\r\n".utf8)
        return out
    }
}

/// A small seeded generator, so "random" splits are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension String {
    var utf8Bytes: [UInt8] { Array(utf8) }
}
