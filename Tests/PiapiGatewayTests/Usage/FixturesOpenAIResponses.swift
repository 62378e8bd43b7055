@testable import PiapiGateway

/// OpenAI Responses bodies shaped after the API reference (the response object; the
/// streaming events `response.created` … `response.completed`), with cached input and
/// reasoning tokens.
enum FixturesOpenAIResponses {
    /// `POST /v1/responses`, non-streaming.
    static let plain = """
        {
          "id": "resp_67ccd3a9da748190baa7f1570fe91ac604becb25c45c1d41",
          "object": "response",
          "created_at": 1741476777,
          "status": "completed",
          "error": null,
          "incomplete_details": null,
          "instructions": "You are a careful assistant.",
          "max_output_tokens": null,
          "model": "o4-mini-2025-04-16",
          "output": [
            {
              "type": "reasoning",
              "id": "rs_67ccd3a9f2a48190bd8f1e4f9a5c3e2e04becb25c45c1d41",
              "summary": []
            },
            {
              "type": "message",
              "id": "msg_67ccd3acc8d48190a77525dc6de64b4104becb25c45c1d41",
              "status": "completed",
              "role": "assistant",
              "content": [
                {
                  "type": "output_text",
                  "text": "The image depicts a scenic landscape with a wooden boardwalk.",
                  "annotations": []
                }
              ]
            }
          ],
          "parallel_tool_calls": true,
          "previous_response_id": null,
          "reasoning": {
            "effort": "medium",
            "summary": null
          },
          "store": true,
          "temperature": 1.0,
          "text": {
            "format": {
              "type": "text"
            }
          },
          "tool_choice": "auto",
          "tools": [],
          "top_p": 1.0,
          "truncation": "disabled",
          "usage": {
            "input_tokens": 5120,
            "input_tokens_details": {
              "cached_tokens": 4096
            },
            "output_tokens": 1035,
            "output_tokens_details": {
              "reasoning_tokens": 832
            },
            "total_tokens": 6155
          },
          "user": null,
          "metadata": {}
        }
        """

    static let plainReport = UsageReport(
        model: "o4-mini-2025-04-16", dialect: .responses, input: 1024, cacheRead: 4096, cacheWrite: nil,
        output: 1035, reasoning: 832)

    /// A streamed answer (`"stream": true`): `event:` lines name each event, the early
    /// events carry `"usage": null`, only `response.completed` has the real usage.
    static let stream = """
        event: response.created
        data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_68a1b2","object":"response","created_at":1741290958,"status":"in_progress","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4.1-2025-04-14","output":[],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":null,"user":null,"metadata":{}}}

        event: response.in_progress
        data: {"type":"response.in_progress","sequence_number":1,"response":{"id":"resp_68a1b2","object":"response","created_at":1741290958,"status":"in_progress","model":"gpt-4.1-2025-04-14","output":[],"usage":null}}

        event: response.output_item.added
        data: {"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_68a1b3","type":"message","status":"in_progress","role":"assistant","content":[]}}

        event: response.content_part.added
        data: {"type":"response.content_part.added","sequence_number":3,"item_id":"msg_68a1b3","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_68a1b3","output_index":0,"content_index":0,"delta":"Hi"}

        event: response.output_text.delta
        data: {"type":"response.output_text.delta","sequence_number":5,"item_id":"msg_68a1b3","output_index":0,"content_index":0,"delta":" there!"}

        event: response.output_text.done
        data: {"type":"response.output_text.done","sequence_number":6,"item_id":"msg_68a1b3","output_index":0,"content_index":0,"text":"Hi there!"}

        event: response.content_part.done
        data: {"type":"response.content_part.done","sequence_number":7,"item_id":"msg_68a1b3","output_index":0,"content_index":0,"part":{"type":"output_text","text":"Hi there!","annotations":[]}}

        event: response.output_item.done
        data: {"type":"response.output_item.done","sequence_number":8,"output_index":0,"item":{"id":"msg_68a1b3","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there!","annotations":[]}]}}

        event: response.completed
        data: {"type":"response.completed","sequence_number":9,"response":{"id":"resp_68a1b2","object":"response","created_at":1741290958,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":"gpt-4.1-2025-04-14","output":[{"id":"msg_68a1b3","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hi there!","annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":null,"summary":null},"store":true,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":{"input_tokens":2250,"input_tokens_details":{"cached_tokens":2048},"output_tokens":412,"output_tokens_details":{"reasoning_tokens":256},"total_tokens":2662},"user":null,"metadata":{}}}


        """

    static let streamReport = UsageReport(
        model: "gpt-4.1-2025-04-14", dialect: .responses, input: 202, cacheRead: 2048, cacheWrite: nil,
        output: 412, reasoning: 256)
}
