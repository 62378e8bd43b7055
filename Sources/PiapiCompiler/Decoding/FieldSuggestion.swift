/// Finds the known word closest to a misspelt one (`baseURL` → `baseUrl`), for the
/// "did you mean" notes on unknown fields and values.
enum FieldSuggestion {
    /// The closest candidate within a small edit distance (case differences count 0), or nil.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let target = Array(word.lowercased().unicodeScalars)
        let limit = max(2, target.count / 3)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(target, Array(candidate.lowercased().unicodeScalars))
            if distance <= limit, distance < (best?.distance ?? .max) {
                best = (candidate, distance)
            }
        }
        return best?.candidate
    }

    /// Levenshtein distance with one rolling row.
    static func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var row = Array(0...b.count)
        for i in 1...a.count {
            var previousDiagonal = row[0]
            row[0] = i
            for j in 1...b.count {
                let above = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previousDiagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                previousDiagonal = above
            }
        }
        return row[b.count]
    }

    /// The note for an unknown word: a suggestion when one is close, else the allowed list.
    static func note(for word: String, among candidates: [String]) -> String {
        if let match = closest(to: word, among: candidates) { return "did you mean '\(match)'?" }
        return "expected one of: " + candidates.map { "'\($0)'" }.joined(separator: ", ")
    }
}
