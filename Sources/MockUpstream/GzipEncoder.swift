import CZlib

/// A streaming gzip encoder for the mock's `gzip=1` answers. Every `compress` call ends in a
/// sync flush, so a paced SSE event leaves compressed but at once, as from a real gzipping
/// server; `finish` writes the gzip trailer.
final class GzipEncoder {
    /// Heap-allocated because zlib keeps a pointer back to its stream.
    private let stream: UnsafeMutablePointer<z_stream>

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
        let status = deflateInit2_(
            stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
            Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "zlib deflateInit2 failed: \(status)")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// `bytes` compressed and flushed.
    func compress(_ bytes: [UInt8]) -> [UInt8] {
        run(bytes, flush: Z_SYNC_FLUSH)
    }

    /// The end of the gzip stream (the last block and the trailer).
    func finish() -> [UInt8] {
        run([], flush: Z_FINISH)
    }

    private func run(_ bytes: [UInt8], flush: Int32) -> [UInt8] {
        var input = bytes
        var output: [UInt8] = []
        var window = [UInt8](repeating: 0, count: 16 << 10)
        input.withUnsafeMutableBufferPointer { inBuffer in
            stream.pointee.next_in = inBuffer.baseAddress
            stream.pointee.avail_in = uInt(inBuffer.count)
            window.withUnsafeMutableBufferPointer { outBuffer in
                repeat {
                    stream.pointee.next_out = outBuffer.baseAddress
                    stream.pointee.avail_out = uInt(outBuffer.count)
                    let status = deflate(stream, flush)
                    precondition(
                        status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR,
                        "zlib deflate failed: \(status)")
                    output += outBuffer[0..<(outBuffer.count - Int(stream.pointee.avail_out))]
                } while stream.pointee.avail_out == 0
            }
        }
        return output
    }
}
