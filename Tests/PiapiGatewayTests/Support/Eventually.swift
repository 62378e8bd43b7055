import Foundation

/// Waits until `condition` holds, checking every 20 ms, and gives up after `limit` seconds.
/// The limit only bounds a failing test; a passing one returns as soon as the condition holds.
func eventually(within limit: Double = 10, _ condition: () throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(limit)
    while Date() < deadline {
        if try condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try condition()
}

/// The value of one sample in Prometheus text, e.g. `sample("piapi_x_total{a=\"b\"}", in: text)`.
func sample(_ series: String, in text: String) -> Double? {
    for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1))
    }
    return nil
}
