import Foundation

/// Messages for the operator go to stderr, so stdout carries only the report (CSV and JSON
/// stay parseable when piped).
enum StandardError {
    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
