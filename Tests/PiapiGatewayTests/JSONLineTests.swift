import Foundation
import Glibc
import PiapiGateway
import Testing

@Suite("JSONLine")
struct JSONLineTests {
    @Test(
        "timestamps agree with gmtime for dates across eras, leap days and the epoch",
        arguments: [
            0, 59, 86_399, 86_400, 951_782_400, 951_868_799, 1_709_164_800, 4_107_542_400, 1_795_846_997, -1, -86_401,
        ])
    func timestamp(seconds: Int) throws {
        var bytes: [UInt8] = []
        JSONLine.appendTimestamp(seconds: seconds, milliseconds: 7, to: &bytes)
        var time = seconds
        var parts = tm()
        gmtime_r(&time, &parts)
        let expected = String(
            format: "\"%04d-%02d-%02dT%02d:%02d:%02d.007Z\"", Int(parts.tm_year) + 1900,
            Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min),
            Int(parts.tm_sec))
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test("numbers: integers at the extremes, doubles, and non-finite values as null")
    func numbers() throws {
        var line = JSONLine()
        line.field("min", Int.min)
        line.field("max", Int.max)
        line.field("zero", 0)
        line.field("fraction", 0.125)
        line.field("tiny", 1e-7)
        line.field("whole", 3.0)
        line.field("nan", Double.nan)
        let text = String(decoding: line.finished(), as: UTF8.self)
        #expect(text.contains("\"min\":-9223372036854775808,"))
        #expect(text.contains("\"max\":9223372036854775807,"))
        #expect(text.contains("\"whole\":3,"))
        #expect(text.hasSuffix("\"nan\":null}\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["fraction"] as? Double == 0.125)
        #expect(object["tiny"] as? Double == 1e-7)
        #expect(object["zero"] as? Int == 0)
    }
}
