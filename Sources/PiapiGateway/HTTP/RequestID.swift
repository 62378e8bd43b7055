/// The `X-Request-ID` rules: a client's value is kept when it is 1–128 characters of
/// `[A-Za-z0-9._:-]`, anything else gets a fresh random one.
enum RequestID {
    static func isValid(_ b: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        guard (1...128).contains(range.count) else { return false }
        for i in range {
            switch b[i] {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"),
                UInt8(ascii: "-"):
                continue
            default:
                return false
            }
        }
        return true
    }

    /// Two words as 32 lower-case hex digits.
    static func hex(_ a: UInt64, _ b: UInt64) -> String {
        String(unsafeUninitializedCapacity: 32) { out in
            let digits: StaticString = "0123456789abcdef"
            var a = a
            var b = b
            for i in 0..<16 {
                out[i] = digits.utf8Start[Int(a & 0xF)]
                out[i + 16] = digits.utf8Start[Int(b & 0xF)]
                a >>= 4
                b >>= 4
            }
            return 32
        }
    }
}
