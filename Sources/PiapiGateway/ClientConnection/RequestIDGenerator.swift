/// Fresh request ids without a system call per request: a SplitMix64 stream seeded once
/// from the system's random source, one generator per event loop.
struct RequestIDGenerator {
    private var state: UInt64

    init() {
        var rng = SystemRandomNumberGenerator()
        state = rng.next()
    }

    mutating func next() -> String {
        RequestID.hex(step(), step())
    }

    private mutating func step() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
