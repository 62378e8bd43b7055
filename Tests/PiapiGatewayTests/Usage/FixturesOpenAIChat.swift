@testable import PiapiGateway

/// OpenAI Chat Completions bodies shaped after the API reference (the chat completion object,
/// the chat completion chunk object with `stream_options.include_usage`), with cached and
/// reasoning tokens set so that the normalisation is visible.
enum FixturesOpenAIChat {
    /// `POST /v1/chat/completions`, non-streaming, a reasoning model with a cache hit.
    static let plain = """
        {
          "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
          "object": "chat.completion",
          "created": 1741570283,
          "model": "o3-mini-2025-01-31",
          "choices": [
            {
              "index": 0,
              "message": {
                "role": "assistant",
                "content": "The \\"usage\\": {\\"prompt_tokens\\": 9} in this text is only text.",
                "refusal": null,
                "annotations": []
              },
              "logprobs": null,
              "finish_reason": "stop"
            }
          ],
          "usage": {
            "prompt_tokens": 2006,
            "completion_tokens": 300,
            "total_tokens": 2306,
            "prompt_tokens_details": {
              "cached_tokens": 1920,
              "audio_tokens": 0
            },
            "completion_tokens_details": {
              "reasoning_tokens": 192,
              "audio_tokens": 0,
              "accepted_prediction_tokens": 0,
              "rejected_prediction_tokens": 0
            }
          },
          "service_tier": "default",
          "system_fingerprint": "fp_fc9f1d7035"
        }
        """

    static let plainReport = UsageReport(
        model: "o3-mini-2025-01-31", dialect: .chatCompletions, input: 86, cacheRead: 1920, cacheWrite: nil,
        output: 300, reasoning: 192)

    /// A streamed answer with `stream_options: {"include_usage": true}`: every chunk carries
    /// `"usage": null` and a last chunk with empty `choices` carries the usage.
    static let stream = """
        data: {"id":"chatcmpl-AxZ9k","object":"chat.completion.chunk","created":1741570290,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-AxZ9k","object":"chat.completion.chunk","created":1741570290,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-AxZ9k","object":"chat.completion.chunk","created":1741570290,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":" there, \\"usage\\":{} is just text"},"logprobs":null,"finish_reason":null}],"usage":null}

        data: {"id":"chatcmpl-AxZ9k","object":"chat.completion.chunk","created":1741570290,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}

        data: {"id":"chatcmpl-AxZ9k","object":"chat.completion.chunk","created":1741570290,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":1117,"completion_tokens":46,"total_tokens":1163,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}}

        data: [DONE]


        """

    static let streamReport = UsageReport(
        model: "gpt-4o-2024-08-06", dialect: .chatCompletions, input: 93, cacheRead: 1024, cacheWrite: nil,
        output: 46, reasoning: 0)

    /// The same stream without `include_usage`: no chunk carries usage.
    static let streamWithoutUsage = """
        data: {"id":"chatcmpl-AxZ9k","object":"chat.completion.chunk","created":1741570290,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"logprobs":null,"finish_reason":null}]}

        data: {"id":"chatcmpl-AxZ9k","object":"chat.completion.chunk","created":1741570290,"model":"gpt-4o-2024-08-06","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}

        data: [DONE]


        """
}
