/// A YAML mapping being decoded as one config object: checks the node is a mapping,
/// reports unknown fields with a did-you-mean note (unless `known` is nil: keys that are
/// data, like apiKeys), and finds required fields. Whatever it cannot decode (a node of
/// the wrong kind, an unknown field's value, a repeated key's value) is marked secret:
/// it may be a misplaced key, so excerpts mask it (a misspelt field stays visible unless it
/// looks like a key field).
struct MappingFields {
    static let secretFields: Set<String> = ["apiKey", "apiKeys"]

    let node: YAMLNode
    let what: String
    private let entries: [YAMLEntry]

    /// Nil, with an error logged, when `node` is not a mapping.
    init?(_ node: YAMLNode, what: String, known: [String]?, log: inout DiagnosticLog) {
        guard case .mapping(let entries) = node.content else {
            log.error(node.location, "\(what) must be a mapping, found \(node.kindDescription)")
            log.markSecret(node)
            return nil
        }
        self.node = node
        self.what = what
        self.entries = entries
        for entry in entries where entry.isDuplicate { log.markSecret(entry.value) }
        guard let known else { return }
        for entry in entries where !entry.isDuplicate && !known.contains(entry.key) {
            log.error(
                entry.keyLocation, "unknown field '\(entry.key)' in \(what)",
                note: FieldSuggestion.note(for: entry.key, among: known))
            let likelyField = FieldSuggestion.closest(to: entry.key, among: known)
            if likelyField == nil || Self.secretFields.contains(likelyField ?? "") { log.markSecret(entry.value) }
        }
    }

    /// The value of a field (its first occurrence).
    subscript(key: String) -> YAMLNode? {
        entries.first { $0.key == key && !$0.isDuplicate }?.value
    }

    var hasKeys: Bool { !entries.isEmpty }

    /// The location of a field's key, for errors about the field as a whole.
    func keyLocation(_ key: String) -> SourceLocation? {
        entries.first { $0.key == key && !$0.isDuplicate }?.keyLocation
    }

    /// Every value written for a field, duplicates included (for masking secrets).
    func allValues(_ key: String) -> [YAMLNode] {
        entries.filter { $0.key == key }.map(\.value)
    }

    /// The field's value, or nil with a "missing field" error pointing at this mapping.
    func required(_ key: String, log: inout DiagnosticLog) -> YAMLNode? {
        guard let value = self[key] else {
            log.error(node.location, "\(what) is missing required field '\(key)'")
            return nil
        }
        return value
    }

    /// The non-duplicate entries in order, for mappings whose keys are data (apiKeys, user services).
    var dataEntries: [YAMLEntry] { entries.filter { !$0.isDuplicate } }

    /// All entries, duplicates included.
    var allEntries: [YAMLEntry] { entries }
}
