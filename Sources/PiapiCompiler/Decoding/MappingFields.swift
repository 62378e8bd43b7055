/// A YAML mapping being decoded as one config object: checks the node is a mapping,
/// reports unknown fields with a did-you-mean note (unless `known` is nil: keys that are
/// data, like apiKeys), and finds required fields.
struct MappingFields {
    let node: YAMLNode
    let what: String
    private let entries: [YAMLEntry]

    /// Nil, with an error logged, when `node` is not a mapping.
    init?(_ node: YAMLNode, what: String, known: [String]?, log: inout DiagnosticLog) {
        guard case .mapping(let entries) = node.content else {
            log.error(node.location, "\(what) must be a mapping, found \(node.kindDescription)")
            return nil
        }
        self.node = node
        self.what = what
        self.entries = entries
        guard let known else { return }
        for entry in entries where !entry.isDuplicate && !known.contains(entry.key) {
            log.error(entry.keyLocation, "unknown field '\(entry.key)' in \(what)", note: FieldSuggestion.note(for: entry.key, among: known))
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
