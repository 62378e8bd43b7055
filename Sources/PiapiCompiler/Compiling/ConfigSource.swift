/// The config text as diagnostics quote it: the file name, the text (absent when it could
/// not be read as UTF-8 YAML) and the spans of secret scalars that excerpts must mask.
public struct ConfigSource: Sendable {
    public static let mask = "********"

    public let fileName: String
    let text: String?
    let secretSpans: [SourceSpan]

    init(fileName: String, text: String?, secretSpans: [SourceSpan]) {
        self.fileName = fileName
        self.text = text
        self.secretSpans = secretSpans
    }

    /// The lines of the file, split once per report at the line breaks libyaml counts
    /// (LF, CRLF, CR; CRLF is one `Character`).
    func lines() -> [Substring] {
        guard let text else { return [] }
        return text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }

    /// Line `line` with every secret scalar on it replaced by `mask`, and the caret column
    /// moved to match; nil when the line is unknown.
    func maskedLine(_ line: Int, in lines: [Substring], caretColumn: Int) -> (text: String, caretColumn: Int)? {
        guard line >= 1, line <= lines.count else { return nil }
        var scalars = Array(lines[line - 1].unicodeScalars)
        var caret = caretColumn
        let ranges =
            secretSpans
            .filter { $0.start.line <= line && line <= $0.end.line }
            .map { span -> Range<Int> in
                let from = span.start.line == line ? span.start.column - 1 : 0
                let to = span.end.line == line ? span.end.column - 1 : scalars.count
                return max(0, min(from, scalars.count))..<max(0, min(max(from, to), scalars.count))
            }
        for range in Self.merged(ranges).reversed() where !range.isEmpty {
            scalars.replaceSubrange(range, with: Self.mask.unicodeScalars)
            if caret - 1 >= range.upperBound {
                caret += Self.mask.unicodeScalars.count - range.count
            } else if caret - 1 >= range.lowerBound {
                caret = range.lowerBound + 1
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars)
        return (String(out), caret)
    }

    /// Nested secrets (a masked mapping holding a masked scalar) become one range.
    private static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
        var out: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = out.last, range.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                out.append(range)
            }
        }
        return out
    }
}
