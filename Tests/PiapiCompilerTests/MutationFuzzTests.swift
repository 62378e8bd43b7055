import PiapiCompiler
import Testing

/// Seeded byte-level mutations of a valid config: every result is either a table or at
/// least one error, never a crash, and positions stay inside the file.
struct MutationFuzzTests {
    /// A small deterministic generator (SplitMix64), so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet = Array(" :-{}[],\"'&*!|>#\n\tab0${}%@?".utf8) + [0x00, 0xC3, 0xFF]

    @Test(arguments: 0..<4)
    func mutatedConfigsNeverCrash(_ seed: Int) {
        var random = SplitMix(state: UInt64(seed))
        let original = Array(Fixture.valid.utf8)
        for _ in 0..<150 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(Self.alphabet.randomElement(using: &random) ?? 0, at: at)
                default: bytes[at] = Self.alphabet.randomElement(using: &random) ?? 0
                }
            }
            let outcome = ConfigCompiler.compile(bytes, fileName: "fuzz.yaml")
            #expect((outcome.table == nil) == (outcome.diagnostics.errorCount > 0))
            let lines = bytes.count { $0 == UInt8(ascii: "\n") } + 1
            for diagnostic in outcome.diagnostics {
                #expect((1...lines).contains(diagnostic.location.line) && diagnostic.location.column >= 1)
            }
            _ = HumanDiagnosticFormatter.format(outcome.diagnostics, source: outcome.source)
        }
    }
}
