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

    /// 32 random hex digits.
    static func generate() -> String {
        var rng = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 32) { out in
            var i = 0
            for _ in 0..<2 {
                var word = rng.next() as UInt64
                for _ in 0..<16 {
                    out[i] = digits[Int(word & 0xF)]
                    word >>= 4
                    i += 1
                }
            }
            return 32
        }
    }
}
