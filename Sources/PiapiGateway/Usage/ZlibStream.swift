import CZlib

/// One zlib inflate stream. zlib keeps a pointer back to its `z_stream` and refuses a moved
/// one, so the struct lives on the heap, owned by this class; `ZlibInflater` wraps it with
/// copy-on-write (`inflateCopy`) so the tap keeps value semantics. Its memory is zlib's state
/// (about 7 KiB) plus the window (32 KiB at most, allocated once output starts).
final class ZlibStream: @unchecked Sendable {
    // @unchecked: mutated only through a uniquely referenced `ZlibInflater`, like Array's storage.

    /// What one `inflate` call ended with.
    enum Outcome {
        case needsInput
        /// `consume` asked to stop.
        case stopped
        case dataError
    }

    private let stream: UnsafeMutablePointer<z_stream>
    /// The compressed stream ended; more input starts a new member (concatenated gzip).
    private var ended = false

    /// `windowBits` as zlib takes it: 15 + 32 (zlib or gzip header), 15 (zlib) or −15 (raw).
    init?(windowBits: Int32) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard inflateInit2_(stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
    }

    /// A stream in the same state as `other`, for copy-on-write.
    init?(copying other: ZlibStream) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard inflateCopy(stream, other.stream) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            return nil
        }
        ended = other.ended
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Inflates all of `input` through `window`, handing each decoded piece to `consume`
    /// (false: stop early). Only `window` is written; nothing decoded is kept.
    func inflate(
        _ input: UnsafeRawBufferPointer, through window: UnsafeMutableRawBufferPointer,
        consume: (UnsafeRawBufferPointer) -> Bool
    ) -> Outcome {
        guard var next = input.baseAddress else { return .needsInput }
        var remaining = input.count
        while remaining > 0 {
            if ended {
                guard inflateReset(stream) == Z_OK else { return .dataError }
                ended = false
            }
            // avail_in is 32 bits wide: feed at most 1 GiB at a time.
            let take = min(remaining, 1 << 30)
            stream.pointee.next_in = UnsafeMutablePointer(mutating: next.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(take)
            while true {
                stream.pointee.next_out = window.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_out = uInt(window.count)
                let status = CZlib.inflate(stream, Z_NO_FLUSH)
                let produced = window.count - Int(stream.pointee.avail_out)
                if produced > 0, !consume(UnsafeRawBufferPointer(rebasing: window[0..<produced])) {
                    return .stopped
                }
                if status == Z_STREAM_END {
                    ended = true
                    break
                }
                // Z_BUF_ERROR: no progress possible, which here means all input is used.
                if status == Z_BUF_ERROR { break }
                guard status == Z_OK else { return .dataError }
                if stream.pointee.avail_in == 0, stream.pointee.avail_out > 0 { break }
            }
            let used = take - Int(stream.pointee.avail_in)
            guard used > 0 || ended else { return .dataError }
            next += used
            remaining -= used
        }
        return .needsInput
    }
}
