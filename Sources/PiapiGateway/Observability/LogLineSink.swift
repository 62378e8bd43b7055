/// Where finished log lines go. The gateway writes to standard output; tests collect lines
/// in memory and parse them back.
public protocol LogLineSink: Sendable {
    /// Writes one complete line (ending in `\n`) as a unit: lines never interleave.
    func write(line: [UInt8])
}
