import Foundation

/// A realistic answer in one of the three LLM dialects, shaped after the providers' API
/// references, with fixed, non-trivial usage (cache reads and writes, reasoning tokens) so that
/// piapi's usage accounting can be checked end to end:
///
/// | dialect | usage as sent | normalised (input / cache read / cache write / output / reasoning) |
/// |---|---|---|
/// | chat | prompt 1200 (cached 1024), completion 300 (reasoning 128) | 176 / 1024 / – / 300 / 128 |
/// | responses | input 1500 (cached 1280), output 420 (reasoning 256) | 220 / 1280 / – / 420 / 256 |
/// | messages | input 35, cache creation 2048, cache read 4096, output 390 | 35 / 4096 / 2048 / 390 / – |
public struct MockDialectAnswer: Sendable, Equatable {
    public var dialect: MockDialect
    /// Answer with `text/event-stream`.
    public var stream: Bool
    /// `Content-Encoding: gzip`.
    public var gzip: Bool
    /// Chat streams only: whether a last chunk carries the usage (as with
    /// `stream_options.include_usage`).
    public var includeUsage: Bool
    /// The `model` echoed back: the request's, or the dialect's default.
    public var model: String

    public init(dialect: MockDialect, stream: Bool, gzip: Bool, includeUsage: Bool = true, model: String? = nil) {
        self.dialect = dialect
        self.stream = stream
        self.gzip = gzip
        self.includeUsage = includeUsage
        self.model = model ?? Self.defaultModel(dialect)
    }

    /// The answer a request asks for. Streaming follows the mock's usual convention (a path
    /// ending in `/stream`, `stream=1`) or the JSON request body's `"stream": true`, as the
    /// SDKs send it; a body-requested chat stream carries usage only when the body sets
    /// `stream_options.include_usage`, like the real API. `gzip=1` in the query gzips it.
    public init(dialect: MockDialect, request: ReceivedRequest, body: [UInt8]) {
        let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let bodyStream = json?["stream"] as? Bool == true
        let includeUsage = (json?["stream_options"] as? [String: Any])?["include_usage"] as? Bool == true
        let gzip = request.query.contains { $0.name == "gzip" && ($0.value == "1" || $0.value == "true") }
        let model = (json?["model"] as? String).flatMap { $0.isEmpty || $0.utf8.count > 100 ? nil : $0 }
        self.init(
            dialect: dialect, stream: request.stream || bodyStream, gzip: gzip,
            includeUsage: bodyStream ? includeUsage : true, model: model)
    }

    static func defaultModel(_ dialect: MockDialect) -> String {
        switch dialect {
        case .chat: return "o3-mini-2025-01-31"
        case .responses: return "o4-mini-2025-04-16"
        case .messages: return "claude-sonnet-4-20250514"
        }
    }

    public var contentType: String {
        stream ? "text/event-stream" : "application/json"
    }

    /// A short description for the mock's report line.
    public var summary: String {
        var text = "\(dialect.rawValue) \(stream ? "stream" : "JSON")"
        if dialect == .chat && stream && !includeUsage { text += " without usage" }
        if gzip { text += ", gzip" }
        return text
    }

    /// The text the answer spells out, in `deltas` pieces.
    static func pieces(_ deltas: Int) -> [String] {
        (1...max(1, deltas)).map { $0 == 1 ? "Mock" : " answer \($0)" }
    }

    // MARK: Usage objects

    private static let chatUsage =
        #"{"prompt_tokens":1200,"completion_tokens":300,"total_tokens":1500,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":128,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}"#
    private static let responsesUsage =
        #"{"input_tokens":1500,"input_tokens_details":{"cached_tokens":1280},"output_tokens":420,"output_tokens_details":{"reasoning_tokens":256},"total_tokens":1920}"#
    private static let messagesUsage =
        #"{"input_tokens":35,"cache_creation_input_tokens":2048,"cache_read_input_tokens":4096,"cache_creation":{"ephemeral_5m_input_tokens":2048,"ephemeral_1h_input_tokens":0},"output_tokens":390,"service_tier":"standard"}"#
    private static let messagesStartUsage =
        #"{"input_tokens":35,"cache_creation_input_tokens":2048,"cache_read_input_tokens":4096,"output_tokens":1}"#
    private static let messagesDeltaUsage = #"{"output_tokens":390}"#

    // MARK: Plain bodies

    /// The whole body of a non-streamed answer (`deltas` sets the length of its text).
    public func jsonBody(deltas: Int) -> String {
        let text = Self.quoted(Self.pieces(deltas).joined())
        let model = Self.quoted(model)
        switch dialect {
        case .chat:
            return
                #"{"id":"chatcmpl-mock0001","object":"chat.completion","created":1741570283,"model":\#(model),"choices":[{"index":0,"message":{"role":"assistant","content":\#(text),"refusal":null,"annotations":[]},"logprobs":null,"finish_reason":"stop"}],"usage":\#(Self.chatUsage),"service_tier":"default","system_fingerprint":"fp_mock"}"#
                + "\n"
        case .responses:
            return
                #"{"id":"resp_mock0001","object":"response","created_at":1741476777,"status":"completed","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":\#(model),"output":[{"type":"reasoning","id":"rs_mock0001","summary":[]},{"type":"message","id":"msg_mock0001","status":"completed","role":"assistant","content":[{"type":"output_text","text":\#(text),"annotations":[]}]}],"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"medium","summary":null},"store":false,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":\#(Self.responsesUsage),"user":null,"metadata":{}}"#
                + "\n"
        case .messages:
            return
                #"{"id":"msg_mock0001","type":"message","role":"assistant","model":\#(model),"content":[{"type":"text","text":\#(text)}],"stop_reason":"end_turn","stop_sequence":null,"usage":\#(Self.messagesUsage)}"#
                + "\n"
        }
    }

    // MARK: Streams

    /// One SSE event of a streamed answer, complete with its blank line; `paced` events are
    /// the text deltas, each written after the mock's delay.
    public struct Event: Sendable, Equatable {
        public var text: String
        public var paced: Bool
    }

    /// The events of a streamed answer with `deltas` text deltas.
    public func streamEvents(deltas: Int) -> [Event] {
        let pieces = Self.pieces(deltas)
        let model = Self.quoted(model)
        switch dialect {
        case .chat:
            return chatEvents(pieces, model: model)
        case .responses:
            return responsesEvents(pieces, model: model)
        case .messages:
            return messagesEvents(pieces, model: model)
        }
    }

    private func chatEvents(_ pieces: [String], model: String) -> [Event] {
        // With include_usage every chunk carries "usage":null and a last chunk the usage.
        let usageNull = includeUsage ? #","usage":null"# : ""
        func chunk(_ choices: String, usage: String) -> String {
            #"data: {"id":"chatcmpl-mock0001","object":"chat.completion.chunk","created":1741570283,"model":\#(model),"system_fingerprint":"fp_mock","choices":\#(choices)\#(usage)}"#
                + "\n\n"
        }
        var events = [
            Event(
                text: chunk(
                    #"[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]"#,
                    usage: usageNull), paced: false)
        ]
        for piece in pieces {
            let delta =
                #"[{"index":0,"delta":{"content":\#(Self.quoted(piece))},"logprobs":null,"finish_reason":null}]"#
            events.append(Event(text: chunk(delta, usage: usageNull), paced: true))
        }
        events.append(
            Event(
                text: chunk(#"[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]"#, usage: usageNull),
                paced: false))
        if includeUsage {
            events.append(Event(text: chunk("[]", usage: #","usage":\#(Self.chatUsage)"#), paced: false))
        }
        events.append(Event(text: "data: [DONE]\n\n", paced: false))
        return events
    }

    private func responsesEvents(_ pieces: [String], model: String) -> [Event] {
        var sequence = 0
        var events: [Event] = []
        func add(_ type: String, _ fields: String, paced: Bool = false) {
            events.append(
                Event(
                    text: "event: \(type)\ndata: {\"type\":\"\(type)\",\"sequence_number\":\(sequence),\(fields)}\n\n",
                    paced: paced))
            sequence += 1
        }
        let text = Self.quoted(pieces.joined())
        func response(status: String, output: String, usage: String) -> String {
            #""response":{"id":"resp_mock0001","object":"response","created_at":1741476777,"status":"\#(status)","error":null,"incomplete_details":null,"instructions":null,"max_output_tokens":null,"model":\#(model),"output":\#(output),"parallel_tool_calls":true,"previous_response_id":null,"reasoning":{"effort":"medium","summary":null},"store":false,"temperature":1.0,"text":{"format":{"type":"text"}},"tool_choice":"auto","tools":[],"top_p":1.0,"truncation":"disabled","usage":\#(usage),"user":null,"metadata":{}}"#
        }
        let item =
            #"{"id":"msg_mock0001","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":\#(text),"annotations":[]}]}"#
        let at = #""item_id":"msg_mock0001","output_index":0,"content_index":0"#
        add("response.created", response(status: "in_progress", output: "[]", usage: "null"))
        add("response.in_progress", response(status: "in_progress", output: "[]", usage: "null"))
        add(
            "response.output_item.added",
            #""output_index":0,"item":{"id":"msg_mock0001","type":"message","status":"in_progress","role":"assistant","content":[]}"#
        )
        add("response.content_part.added", #"\#(at),"part":{"type":"output_text","text":"","annotations":[]}"#)
        for piece in pieces {
            add("response.output_text.delta", #"\#(at),"delta":\#(Self.quoted(piece))"#, paced: true)
        }
        add("response.output_text.done", #"\#(at),"text":\#(text)"#)
        add("response.content_part.done", #"\#(at),"part":{"type":"output_text","text":\#(text),"annotations":[]}"#)
        add("response.output_item.done", #""output_index":0,"item":\#(item)"#)
        add("response.completed", response(status: "completed", output: "[\(item)]", usage: Self.responsesUsage))
        return events
    }

    private func messagesEvents(_ pieces: [String], model: String) -> [Event] {
        func event(_ type: String, _ data: String, paced: Bool = false) -> Event {
            Event(text: "event: \(type)\ndata: \(data)\n\n", paced: paced)
        }
        var events = [
            event(
                "message_start",
                #"{"type":"message_start","message":{"id":"msg_mock0001","type":"message","role":"assistant","model":\#(model),"content":[],"stop_reason":null,"stop_sequence":null,"usage":\#(Self.messagesStartUsage)}}"#
            ),
            event(
                "content_block_start",
                #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
            event("ping", #"{"type": "ping"}"#),
        ]
        for piece in pieces {
            events.append(
                event(
                    "content_block_delta",
                    #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":\#(Self.quoted(piece))}}"#,
                    paced: true))
        }
        events += [
            event("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            event(
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":\#(Self.messagesDeltaUsage)}"#
            ),
            event("message_stop", #"{"type":"message_stop"}"#),
        ]
        return events
    }

    /// `text` as a JSON string literal.
    static func quoted(_ text: String) -> String {
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
