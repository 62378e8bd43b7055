@testable import PiapiGateway

/// Anthropic Messages bodies shaped after the API reference (the message object with prompt
/// caching fields; the streaming events `message_start` … `message_stop`, as the reference
/// prints them with a space after each colon).
enum FixturesAnthropicMessages {
    /// `POST /v1/messages`, non-streaming, writing a large prompt to the cache.
    static let plain = """
        {
          "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
          "type": "message",
          "role": "assistant",
          "model": "claude-sonnet-4-20250514",
          "content": [
            {
              "type": "text",
              "text": "Hi! My name is Claude."
            }
          ],
          "stop_reason": "end_turn",
          "stop_sequence": null,
          "usage": {
            "input_tokens": 21,
            "cache_creation_input_tokens": 188086,
            "cache_read_input_tokens": 0,
            "cache_creation": {
              "ephemeral_5m_input_tokens": 188086,
              "ephemeral_1h_input_tokens": 0
            },
            "output_tokens": 393,
            "service_tier": "standard"
          }
        }
        """

    static let plainReport = UsageReport(
        model: "claude-sonnet-4-20250514", dialect: .messages, input: 21, cacheRead: 0, cacheWrite: 188086,
        output: 393, reasoning: nil)

    /// A streamed answer reading from the cache: `message_start` has the input side and an
    /// early `output_tokens: 1`; the final `message_delta` has the cumulative output only.
    static let stream = """
        event: message_start
        data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-opus-4-1-20250805", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 472, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 2095, "output_tokens": 1}}}

        event: content_block_start
        data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

        event: ping
        data: {"type": "ping"}

        event: content_block_delta
        data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

        event: content_block_delta
        data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "! \\"usage\\": {\\"output_tokens\\": 9}"}}

        event: content_block_stop
        data: {"type": "content_block_stop", "index": 0}

        event: message_delta
        data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 503}}

        event: message_stop
        data: {"type": "message_stop"}


        """

    static let streamReport = UsageReport(
        model: "claude-opus-4-1-20250805", dialect: .messages, input: 472, cacheRead: 2095, cacheWrite: 0,
        output: 503, reasoning: nil)

    /// The newer shape: `message_delta` repeats every cumulative count (input and cache
    /// included), and two deltas arrive (a tool-use pause). Adding them up instead of taking
    /// the last value is the double-counting bug.
    static let streamWithCumulativeDeltas = """
        event: message_start
        data: {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2679,"cache_creation_input_tokens":1460,"cache_read_input_tokens":12000,"output_tokens":3}}}

        event: content_block_start
        data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

        event: content_block_delta
        data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking the weather."}}

        event: content_block_stop
        data: {"type":"content_block_stop","index":0}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":null,"stop_sequence":null},"usage":{"input_tokens":2679,"cache_creation_input_tokens":1460,"cache_read_input_tokens":12000,"output_tokens":40}}

        event: message_delta
        data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"input_tokens":2679,"cache_creation_input_tokens":1460,"cache_read_input_tokens":12000,"output_tokens":89}}

        event: message_stop
        data: {"type":"message_stop"}


        """

    static let streamWithCumulativeDeltasReport = UsageReport(
        model: "claude-sonnet-4-20250514", dialect: .messages, input: 2679, cacheRead: 12000, cacheWrite: 1460,
        output: 89, reasoning: nil)
}
