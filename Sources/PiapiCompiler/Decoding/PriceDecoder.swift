import RouteTable

/// Decodes the top-level `prices` block: model name → `{ input, output, cacheRead, cacheWrite }`
/// in USD per million tokens. `input` and `output` are required; the cache rates default to
/// `input` (cached tokens then cost what other input tokens cost: never less than configured).
enum PriceDecoder {
    static let fields = ["input", "output", "cacheRead", "cacheWrite"]

    static func decode(_ node: YAMLNode, log: inout DiagnosticLog) -> [PriceConfig] {
        guard let models = MappingFields(node, what: "prices", known: nil, log: &log) else { return [] }
        var prices: [PriceConfig] = []
        var firstLine: [String: Int] = [:]
        for entry in models.dataEntries {
            let model = entry.key
            guard !ScalarDecoding.trimmed(model).isEmpty else {
                log.error(entry.keyLocation, "model name must not be empty")
                continue
            }
            guard
                !model.unicodeScalars.contains(where: {
                    $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F
                })
            else {
                log.error(
                    entry.keyLocation, "model name must not contain whitespace or control characters",
                    note: "write the model exactly as the upstream's responses name it")
                continue
            }
            if let line = firstLine[model] {
                log.error(entry.keyLocation, "duplicate model '\(model)' in prices (first at line \(line))")
                continue
            }
            firstLine[model] = entry.keyLocation.line
            if let price = decodePrice(entry.value, model: model, log: &log) {
                prices.append(PriceConfig(model: Located(model, at: entry.keyLocation), price: price))
            }
        }
        return prices
    }

    private static func decodePrice(_ node: YAMLNode, model: String, log: inout DiagnosticLog) -> ModelPrice? {
        guard let fields = MappingFields(node, what: "price of '\(model)'", known: Self.fields, log: &log) else {
            return nil
        }
        let input = fields.required("input", log: &log).flatMap { rate($0, "input", model: model, log: &log) }
        let output = fields.required("output", log: &log).flatMap { rate($0, "output", model: model, log: &log) }
        let cacheRead = fields["cacheRead"].map { rate($0, "cacheRead", model: model, log: &log) }
        let cacheWrite = fields["cacheWrite"].map { rate($0, "cacheWrite", model: model, log: &log) }
        guard let input, let output, let cacheRead = cacheRead ?? input, let cacheWrite = cacheWrite ?? input else {
            return nil
        }
        return ModelPrice(input: input, output: output, cacheRead: cacheRead, cacheWrite: cacheWrite)
    }

    /// A non-negative finite number of USD per million tokens.
    private static func rate(_ node: YAMLNode, _ field: String, model: String, log: inout DiagnosticLog) -> Double? {
        switch ScalarDecoding.number(node) {
        case .value(let value) where value >= 0:
            return value + 0  // -0 becomes 0
        case .value:
            log.error(node.location, "\(field) of '\(model)' must not be negative")
        case .outOfRange:
            log.error(node.location, "\(field) of '\(model)' is too large")
        case .notANumber:
            log.error(
                node.location, "\(field) of '\(model)' must be a number (USD per million tokens)",
                note: "write a plain number such as 3 or 0.25, without quotes or a currency sign")
        }
        return nil
    }
}
