import NIOConcurrencyHelpers
import PiapiTestSupport

extension TestConnection {
    /// Everything received so far, as text, once `marker` is among it or the connection has
    /// closed; nothing is consumed (`readResponse` removes what it parses, so a check of the
    /// raw bytes must come first).
    func bytesReceived(once marker: String) async throws -> String {
        let needle = Array(marker.utf8)
        let copy = NIOLockedValueBox<[UInt8]>([])
        try await waitFor { bytes, closed in
            guard closed || TestConnection.find(needle, in: bytes) != nil else { return false }
            copy.withLockedValue { $0 = bytes }
            return true
        }
        return String(decoding: copy.withLockedValue { $0 }, as: UTF8.self)
    }
}
