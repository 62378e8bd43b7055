import CZlib

/// Builds WebSocket frames byte by byte (RFC 6455 §5.2) and permessage-deflate payloads
/// (RFC 7692 §7.2.1, with zlib itself) for the frame reader's tests.
enum WebSocketFrames {
    /// How the payload length is written: the shortest form, or a longer one on purpose.
    enum LengthForm {
        case shortest
        case sixteen
        case sixtyFour
    }

    static func frame(
        _ opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv1: Bool = false,
        mask: [UInt8]? = nil, length form: LengthForm = .shortest
    ) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        let n = payload.count
        switch form {
        case .shortest where n < 126:
            out.append(maskBit | UInt8(n))
        case .shortest where n <= 0xFFFF, .sixteen:
            out.append(maskBit | 126)
            out += [UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)]
        default:
            out.append(maskBit | 127)
            out += (0..<8).reversed().map { UInt8(UInt64(n) >> (8 * UInt64($0)) & 0xFF) }
        }
        guard let mask else { return out + payload }
        out += mask
        return out + payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
    }

    static func text(_ s: String, mask: [UInt8]? = nil) -> [UInt8] {
        frame(0x1, Array(s.utf8), mask: mask)
    }

    /// Each message compressed as permessage-deflate sends it: raw deflate, sync-flushed, the
    /// trailing `00 00 ff ff` taken off. `contextTakeover`: one stream for all of them.
    static func deflated(_ messages: [[UInt8]], contextTakeover: Bool) -> [[UInt8]] {
        var stream = z_stream()
        var open = false
        var result: [[UInt8]] = []
        for message in messages {
            if !open || !contextTakeover {
                if open { deflateEnd(&stream) }
                stream = z_stream()
                _ = deflateInit2_(
                    &stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(),
                    Int32(MemoryLayout<z_stream>.size))
                open = true
            }
            var input = message
            var output = [UInt8](repeating: 0, count: message.count + 1024)
            var produced = 0
            input.withUnsafeMutableBufferPointer { inp in
                stream.next_in = inp.baseAddress
                stream.avail_in = uInt(inp.count)
                repeat {
                    if output.count - produced < 256 { output += [UInt8](repeating: 0, count: 4096) }
                    output.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress! + produced
                        stream.avail_out = uInt(out.count - produced)
                        _ = deflate(&stream, Z_SYNC_FLUSH)
                        produced = out.count - Int(stream.avail_out)
                    }
                } while stream.avail_out == 0 || stream.avail_in > 0
            }
            var compressed = Array(output[0..<produced])
            if compressed.suffix(4) == [0x00, 0x00, 0xFF, 0xFF] { compressed.removeLast(4) }
            result.append(compressed)
        }
        if open { deflateEnd(&stream) }
        return result
    }
}
