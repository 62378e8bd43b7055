import Foundation
import Logging
import PiapiGateway
import Testing

@Suite("JSONLogHandler")
struct JSONLogHandlerTests {
    let sink = RecordingLogSink()

    func logger(level: Logger.Level = .info) -> Logger {
        let sink = self.sink
        return Logger(label: "test") { _ in JSONLogHandler(sink: sink, logLevel: level) }
    }

    @Test("one JSON object per line, with timestamp, level, message and flattened metadata")
    func topLevelFields() throws {
        var logger = logger()
        logger[metadataKey: "component"] = "watcher"
        logger.notice(
            "table loaded",
            metadata: [
                "routes": .stringConvertible(12), "ratio": .stringConvertible(0.25), "ok": .stringConvertible(true),
                "nested": .dictionary(["a": .array(["x", .stringConvertible(2)])]),
            ])
        #expect(sink.text.count == 1)
        let line = try #require(sink.text.first)
        #expect(line.hasSuffix("}\n"))
        #expect(line.dropLast().contains("\n") == false)
        let object = try #require(try sink.objects().first)
        #expect(object["level"] as? String == "notice")
        #expect(object["message"] as? String == "table loaded")
        #expect(object["component"] as? String == "watcher")
        #expect(object["routes"] as? Int == 12)
        #expect(object["ratio"] as? Double == 0.25)
        #expect(object["ok"] as? Bool == true)
        let nested = try #require(object["nested"] as? [String: Any])
        #expect((nested["a"] as? [Any])?.count == 2)
        // The three fixed fields come first, in this order.
        #expect(line.hasPrefix("{\"timestamp\":\""))
        #expect(line.contains("\",\"level\":\"notice\",\"message\":\"table loaded\","))
    }

    @Test("the timestamp is RFC 3339 UTC with milliseconds")
    func timestampFormat() throws {
        logger().info("tick")
        let object = try #require(try sink.objects().first)
        let timestamp = try #require(object["timestamp"] as? String)
        let pattern = #/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/#
        #expect(timestamp.wholeMatch(of: pattern) != nil)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        #expect(formatter.date(from: timestamp) != nil)
    }

    @Test("quotes, backslashes, control characters and non-ASCII survive a round trip")
    func escaping() throws {
        let awkward = "quote \" backslash \\ newline \n tab \t cr \r nul \u{0} bell \u{7} del \u{7F} ü → 🚀 \u{2028}"
        logger().warning("\(awkward)", metadata: [awkward: .string(awkward)])
        let text = try #require(sink.text.first)
        #expect(text.filter { $0 == "\n" }.count == 1)
        let object = try #require(try sink.objects().first)
        #expect(object["message"] as? String == awkward)
        #expect(object[awkward] as? String == awkward)
    }

    @Test("the level filter drops lower levels")
    func levelFilter() {
        let logger = logger(level: .warning)
        logger.info("hidden")
        logger.debug("hidden")
        logger.error("shown")
        #expect(sink.text.count == 1)
        #expect(sink.text.first?.contains("shown") == true)
    }

    @Test("metadata cannot overwrite the fixed fields")
    func reservedKeys() throws {
        logger().info("real", metadata: ["message": "fake", "level": "fake"])
        let object = try #require(try sink.objects().first)
        #expect(object["message"] as? String == "real")
        #expect(object["level"] as? String == "info")
        #expect(sink.text.first?.contains("fake") == false)
    }
}
