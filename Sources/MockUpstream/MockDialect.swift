/// The LLM API a mock answer imitates, chosen by the request (`?dialect=NAME`, or a path that
/// starts with `/dialect/NAME/` for clients such as the official SDKs that cannot add a query
/// to a base URL). Without one, the mock answers with its report as before.
public enum MockDialect: String, Sendable, CaseIterable {
    /// OpenAI Chat Completions.
    case chat
    /// OpenAI Responses.
    case responses
    /// Anthropic Messages.
    case messages

    /// The dialect a request URI asks for, if any.
    public init?(uri: String) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = parts.first ?? ""
        if path.hasPrefix("/dialect/") {
            let name = path.dropFirst("/dialect/".count).prefix { $0 != "/" }
            self.init(rawValue: String(name))
            return
        }
        guard parts.count == 2 else { return nil }
        for item in parts[1].split(separator: "&") where item.hasPrefix("dialect=") {
            self.init(rawValue: String(item.dropFirst("dialect=".count)))
            return
        }
        return nil
    }
}
