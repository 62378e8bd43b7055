/// Splits a `text/event-stream` body into events as the bytes pass, following the HTML
/// living standard's parsing rules: lines end in CRLF, LF or CR (a CRLF split across two
/// reads included); `data:` lines are joined with `\n`; one space after the colon is dropped;
/// comments (`:`) and other fields (`event:`, `id:`, `retry:`) are skipped without being
/// stored; a blank line dispatches the event if it had data. Only the current event's data
/// is held, and at most `maxEventBytes` of it: a larger event's data goes through an
/// `OversizedEventScanner` instead (and the event is counted), whose few kept members are
/// dispatched as a small document, so the framer's memory per stream is bounded whatever the
/// upstream sends.
struct SSEEventFramer: Sendable {
    /// The largest event data kept: 1 MiB. Usage-bearing events are far smaller, except a
    /// Responses `response.completed`, which repeats the whole output and the client's
    /// instructions and tools; a longer one is scanned for its usage instead of held.
    static let maxEventBytes = 1 << 20
    /// A data buffer that grew beyond this is released after its event instead of being
    /// kept for the next one, so one large event does not pin memory for the whole stream.
    static let keptCapacity = 64 << 10

    /// Where the next byte falls within a line.
    private enum Position: Sendable {
        case lineStart
        /// In the field name; `matched` counts how much of it equals a prefix of `data`.
        case fieldName(length: Int, matched: Int)
        /// Just after the colon of a `data` field: one space may follow.
        case dataValueStart
        case dataValue
        /// A comment or another field: skipped to the line end.
        case skippedLine
    }

    private var position = Position.lineStart
    /// The previous byte was a CR: an LF right after it belongs to the same line end.
    private var afterCR = false
    private var data: [UInt8] = []
    private var eventHasData = false
    private var eventOversized = false
    /// The current event outgrew `maxEventBytes`: its data is scanned, not held.
    private var scanner: OversizedEventScanner?
    /// Events whose data exceeded `maxEventBytes` (scanned, not parsed whole).
    private(set) var oversizedEvents = 0

    /// The bytes this framer holds now (its buffer's capacity).
    var retainedBytes: Int { data.capacity + (scanner?.retainedBytes ?? 0) }

    /// Advances over `bytes`, calling `dispatch` with the data of each event that ends in them.
    mutating func feed(_ bytes: UnsafeRawBufferPointer, dispatch: (UnsafeRawBufferPointer) -> Void) {
        var i = 0
        let n = bytes.count
        while i < n {
            let byte = bytes[i]
            if afterCR {
                afterCR = false
                if byte == ASCII.lf {
                    i += 1
                    continue
                }
            }
            switch position {
            case .lineStart:
                if byte == ASCII.cr || byte == ASCII.lf {
                    afterCR = byte == ASCII.cr
                    endEvent(dispatch)
                    i += 1
                } else if byte == UInt8(ascii: ":") {
                    position = .skippedLine
                    i += 1
                } else {
                    position = .fieldName(length: 0, matched: 0)
                }
            case .fieldName(let length, let matched):
                if byte == UInt8(ascii: ":") {
                    position = matched == 4 && length == 4 ? .dataValueStart : .skippedLine
                } else if byte == ASCII.cr || byte == ASCII.lf {
                    // A line without a colon is a field with an empty value.
                    if matched == 4 && length == 4 { startDataLine() }
                    afterCR = byte == ASCII.cr
                    position = .lineStart
                } else {
                    let stillData = matched == length && length < 4 && byte == Self.dataName[length]
                    position = .fieldName(length: length + 1, matched: stillData ? matched + 1 : matched)
                }
                i += 1
            case .dataValueStart:
                startDataLine()
                position = .dataValue
                if byte == UInt8(ascii: " ") { i += 1 }
            case .dataValue, .skippedLine:
                var end = i
                while end < n, bytes[end] != ASCII.lf, bytes[end] != ASCII.cr { end += 1 }
                if case .dataValue = position {
                    append(UnsafeRawBufferPointer(rebasing: bytes[i..<end]))
                }
                if end < n {
                    afterCR = bytes[end] == ASCII.cr
                    position = .lineStart
                    end += 1
                }
                i = end
            }
        }
    }

    private static let dataName: [UInt8] = Array("data".utf8)

    /// A new `data` line: the previous one's text is followed by `\n`.
    private mutating func startDataLine() {
        if eventHasData { withUnsafeBytes(of: ASCII.lf) { append($0) } }
        eventHasData = true
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if bytes.isEmpty { return }
        if makeRoom(for: bytes.count) {
            data.append(contentsOf: bytes)
        } else {
            scanner!.feed(bytes)
        }
    }

    /// False once the event has outgrown `maxEventBytes`: what it held so far then goes
    /// through a new scanner and its buffer is released, and the rest of its data is scanned.
    /// The buffer grows by doubling but never past the bound.
    private mutating func makeRoom(for count: Int) -> Bool {
        guard !eventOversized else { return false }
        let needed = data.count + count
        guard needed <= Self.maxEventBytes else {
            eventOversized = true
            var scanner = OversizedEventScanner()
            data.withUnsafeBytes { scanner.feed($0) }
            self.scanner = scanner
            data = []
            return false
        }
        if needed > data.capacity {
            data.reserveCapacity(min(max(needed, 2 * data.capacity), Self.maxEventBytes))
        }
        return true
    }

    private mutating func endEvent(_ dispatch: (UnsafeRawBufferPointer) -> Void) {
        if eventOversized {
            oversizedEvents += 1
            scanner?.document()?.withUnsafeBytes { dispatch($0) }
            scanner = nil
        } else if eventHasData {
            data.withUnsafeBytes { dispatch($0) }
        }
        if data.capacity > Self.keptCapacity {
            data = []
        } else {
            data.removeAll(keepingCapacity: true)
        }
        eventHasData = false
        eventOversized = false
    }
}
