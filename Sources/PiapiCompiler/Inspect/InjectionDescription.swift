import RouteTable

/// How `inspect` and `diff` show a credential injection: the mode, the name, a standard
/// auth scheme word such as `Bearer` when the value starts with one, and `${VAR}` names;
/// every other literal text is `<redacted>`.
enum InjectionDescription {
    /// Scheme words that carry no secret; the value after them is still redacted.
    static let schemes: Set<String> = ["bearer", "token", "basic", "bot", "key", "apikey", "api-key"]

    static func describe(_ injection: Injection) -> String {
        var shown = ""
        for (index, part) in injection.value.parts.enumerated() {
            switch part {
            case .variable(let name):
                shown += "${\(name)}"
            case .literal(let text):
                let scheme = index == 0 && injection.mode == .header ? schemePrefix(of: text) : nil
                shown += scheme ?? ""
                if text.count > (scheme?.count ?? 0) { shown += "<redacted>" }
            }
        }
        switch injection.mode {
        case .header: return "header \(injection.name): \(shown)"
        case .query: return "query \(injection.name)=\(shown)"
        }
    }

    /// "Bearer " when `text` starts with a known scheme word and one space.
    private static func schemePrefix(of text: String) -> String? {
        guard let space = text.firstIndex(of: " ") else { return nil }
        let word = text[..<space]
        guard schemes.contains(word.lowercased()) else { return nil }
        return String(text[...space])
    }
}
