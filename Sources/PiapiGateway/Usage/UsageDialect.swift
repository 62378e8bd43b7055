/// The three API shapes whose token usage the tap understands. A response's dialect is read
/// from its content (the `object`/`type` fields and the names inside `usage`), never from the
/// service's name, so a route that points "codex" at an Anthropic-compatible upstream is still
/// counted right. The raw value is a stable label for logs and the ledger.
public enum UsageDialect: String, Sendable, Hashable, CaseIterable {
    /// OpenAI Chat Completions: `prompt_tokens`, `completion_tokens` and their `_details`.
    case chatCompletions = "openai_chat"
    /// OpenAI Responses: `input_tokens`, `output_tokens` and their `_details`.
    case responses = "openai_responses"
    /// Anthropic Messages: `input_tokens`, `output_tokens`, `cache_creation_input_tokens`,
    /// `cache_read_input_tokens`.
    case messages = "anthropic_messages"
}
