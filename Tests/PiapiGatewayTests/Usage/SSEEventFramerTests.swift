import Testing

@testable import PiapiGateway

/// SSE framing on its own: which events come out of a byte stream, however it is cut.
@Suite struct SSEEventFramerTests {
    /// The data of every event dispatched for `text`, fed in the given slice lengths.
    static func events(_ text: String, slices: [Int] = []) -> [String] {
        var framer = SSEEventFramer()
        var events: [String] = []
        for piece in UsageTapDriver.cut(text.utf8Bytes, slices) {
            piece.withUnsafeBytes { framer.feed($0) { events.append(String(decoding: $0, as: UTF8.self)) } }
        }
        return events
    }

    @Test(arguments: [
        ("data: a\n\ndata: b\n\n", ["a", "b"]),
        ("data: a\r\n\r\ndata: b\r\n\r\n", ["a", "b"]),
        ("data: a\r\rdata: b\r\r", ["a", "b"]),
        ("data: a\r\n\ndata: b\n\r\n", ["a", "b"]),
        // Several data lines are joined with \n; one space after the colon is dropped, not two.
        ("data: {\"a\":\ndata:  1}\n\n", ["{\"a\":\n 1}"]),
        // Comments, event names, ids and retry lines carry no data.
        (": keep-alive\nevent: message_start\nid: 7\nretry: 1000\ndata: x\n\n", ["x"]),
        // An event without data is not dispatched; `data` without a colon is an empty line of data.
        ("event: ping\n\ndata\n\n", [""]),
        // Field names are exact: `data ` and `datum` are other fields.
        ("data : no\ndatum: no\ndata:yes\n\n", ["yes"]),
        // The last event without its blank line is never dispatched (a truncated stream).
        ("data: a\n\ndata: b\n", ["a"]),
        ("data: [DONE]\n\n", ["[DONE]"]),
        ("\n\n\r\n: only comments\n\n", []),
    ])
    func framing(input: String, expected: [String]) {
        #expect(Self.events(input) == expected)
        #expect(Self.events(input, slices: Array(repeating: 1, count: input.utf8.count)) == expected)
    }

    @Test func everySplitOfACRLFStreamGivesTheSameEvents() {
        let text = "event: a\r\ndata: one\r\ndata: two\r\n\r\n:c\r\ndata: three\r\n\r\n"
        for offset in 0...text.utf8.count {
            #expect(Self.events(text, slices: [offset]) == ["one\ntwo", "three"], "split at \(offset)")
        }
    }

    @Test func anOversizedEventIsDroppedAndCountedAndItsMemoryReleased() {
        var framer = SSEEventFramer()
        var events: [Int] = []
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 << 10)
        [UInt8]("data: ".utf8).withUnsafeBytes { framer.feed($0) { events.append($0.count) } }
        for _ in 0..<40 {
            chunk.withUnsafeBytes { framer.feed($0) { events.append($0.count) } }
            #expect(framer.retainedBytes <= SSEEventFramer.maxEventBytes + 4096)
        }
        [UInt8]("\ndata: more\n\ndata: next\n\n".utf8).withUnsafeBytes { framer.feed($0) { events.append($0.count) } }
        #expect(events == [4])
        #expect(framer.oversizedEvents == 1)
        #expect(framer.retainedBytes <= SSEEventFramer.keptCapacity)
    }

    @Test func anEventJustUnderTheBoundIsKept() {
        let data = String(repeating: "y", count: SSEEventFramer.maxEventBytes - 1)
        // Two lines: the joining \n makes exactly maxEventBytes.
        #expect(Self.events("data: \(data)\ndata:\n\n").map(\.utf8.count) == [SSEEventFramer.maxEventBytes])
        #expect(Self.events("data: \(data)yy\n\n").isEmpty)
    }
}
