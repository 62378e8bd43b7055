/// What one model costs, in USD per million tokens, from the config's `prices` block. The
/// compiler fills every field (`cacheRead` and `cacheWrite` default to `input`), so the
/// gateway only multiplies.
public struct ModelPrice: Hashable, Sendable {
    /// Input tokens not read from a cache.
    public var input: Double
    /// Output tokens, reasoning included.
    public var output: Double
    /// Input tokens read from a prompt cache.
    public var cacheRead: Double
    /// Input tokens written to a prompt cache.
    public var cacheWrite: Double

    public init(input: Double, output: Double, cacheRead: Double, cacheWrite: Double) {
        self.input = input
        self.output = output
        self.cacheRead = cacheRead
        self.cacheWrite = cacheWrite
    }

    /// The USD cost of these token counts (each kind counted once; reasoning tokens are part
    /// of `output`, never added on top).
    public func cost(
        input inputTokens: Int, output outputTokens: Int, cacheRead cacheReadTokens: Int = 0,
        cacheWrite cacheWriteTokens: Int = 0
    ) -> Double {
        (Double(inputTokens) * input + Double(outputTokens) * output
            + Double(cacheReadTokens) * cacheRead + Double(cacheWriteTokens) * cacheWrite) / 1_000_000
    }

    /// The four rates in storage order.
    var rates: [Double] { [input, output, cacheRead, cacheWrite] }

    /// Refuses what no config can produce: a rate that is negative, NaN or infinite, or a
    /// model name that is empty or holds whitespace or control characters.
    static func check(_ price: ModelPrice, model: String) throws(TableError) {
        guard !model.isEmpty,
            !model.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { throw .invalid("a price has an empty model name or one with whitespace or control characters") }
        guard price.rates.allSatisfy({ $0.isFinite && $0 >= 0 }) else {
            throw .invalid("a price is negative or not a finite number")
        }
    }
}
