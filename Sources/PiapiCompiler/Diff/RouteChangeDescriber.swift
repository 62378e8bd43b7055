/// Spells out how one route changed: provider, key name, URL, auth, strategy, chain,
/// and "credential value changed" or "url query value changed" when only a redacted value differs.
enum RouteChangeDescriber {
    static func details(from old: RouteSnapshot, to new: RouteSnapshot) -> [String] {
        var details: [String] = []
        if old.strategy != new.strategy { details.append("strategy: \(old.strategy) → \(new.strategy)") }
        if old.candidates.count == 1, new.candidates.count == 1, let a = old.candidates.first,
            let b = new.candidates.first
        {
            details += candidateDetails(a, b, prefix: "")
            return details
        }
        let oldChain = old.candidates.map(\.label)
        let newChain = new.candidates.map(\.label)
        if oldChain != newChain {
            details.append("chain: \(oldChain.joined(separator: ", ")) → \(newChain.joined(separator: ", "))")
        }
        for b in new.candidates {
            guard let a = old.candidates.first(where: { $0.provider == b.provider && $0.keyName == b.keyName }) else {
                continue
            }
            details += candidateDetails(a, b, prefix: "\(b.provider)/\(b.keyName) ", skipIdentity: true)
        }
        return details
    }

    private static func candidateDetails(
        _ a: RouteSnapshot.Candidate, _ b: RouteSnapshot.Candidate, prefix: String,
        skipIdentity: Bool = false
    ) -> [String] {
        var details: [String] = []
        if !skipIdentity {
            if a.provider != b.provider { details.append("provider: \(a.provider) → \(b.provider)") }
            if a.keyName != b.keyName { details.append("key: \(a.keyName) → \(b.keyName)") }
            if a.weight != b.weight { details.append("weight: \(a.weight) → \(b.weight)") }
            if a.enabled != b.enabled { details.append("enabled: \(a.enabled) → \(b.enabled)") }
        }
        if a.url != b.url {
            details.append("\(prefix)url: \(a.url) → \(b.url)")
        } else if a.baseQuery != b.baseQuery {
            details.append("\(prefix)url query value changed (redacted)")
        }
        if a.auth != b.auth {
            details.append("\(prefix)auth: \(a.auth) → \(b.auth)")
        } else if a.credential != b.credential {
            details.append("\(prefix)credential value changed (redacted)")
        }
        return details
    }
}
