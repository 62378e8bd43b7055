/// What a request path asks for, worked out from its bytes without decoding them:
/// `/healthz`, `/metrics`, or `/piapi/<service><rest>` where `<rest>` is forwarded as sent.
enum RequestPath: Equatable {
    case healthz
    case metrics
    case proxy(service: Range<Int>, rest: Range<Int>)
    case notFound

    private static let healthzPath = Array("/healthz".utf8)
    private static let metricsPath = Array("/metrics".utf8)
    private static let prefix = Array("/piapi/".utf8)

    /// `metrics: false` (`--no-public-metrics`) makes `/metrics` an unknown path.
    static func classify(_ b: UnsafeRawBufferPointer, _ path: Range<Int>, metrics: Bool = true) -> RequestPath {
        if ASCII.equals(b, path, healthzPath) { return .healthz }
        if ASCII.equals(b, path, metricsPath) { return metrics ? .metrics : .notFound }
        guard path.count > prefix.count,
            ASCII.equals(b, path.lowerBound..<(path.lowerBound + prefix.count), prefix)
        else { return .notFound }
        let serviceStart = path.lowerBound + prefix.count
        var i = serviceStart
        while i < path.upperBound, b[i] != UInt8(ascii: "/") { i += 1 }
        guard i > serviceStart else { return .notFound }
        return .proxy(service: serviceStart..<i, rest: i..<path.upperBound)
    }

    /// Whether `<rest>` tries to leave the base path, as the gateway or the upstream's server
    /// may read it: a `.` or `..` segment (dots possibly written `%2e`), also with parameters
    /// after it (`..;x`, `.%3bx`: Tomcat and Spring drop them and see `..`), or an encoded
    /// slash or any backslash, plain or encoded (IIS takes `\` for `/`).
    static func escapesBase(_ b: UnsafeRawBufferPointer, _ rest: Range<Int>) -> Bool {
        var i = rest.lowerBound
        var dots = 0
        var other = false
        func isDotSegment() -> Bool { !other && (dots == 1 || dots == 2) }
        while i < rest.upperBound {
            let c = b[i]
            if c == UInt8(ascii: "/") {
                if isDotSegment() { return true }
                dots = 0
                other = false
                i += 1
            } else if c == UInt8(ascii: "\\") {
                return true
            } else if c == UInt8(ascii: "%"), i + 2 < rest.upperBound {
                let hi = ASCII.lower(b[i + 1])
                let lo = ASCII.lower(b[i + 2])
                if hi == UInt8(ascii: "2") && lo == UInt8(ascii: "f") { return true }
                if hi == UInt8(ascii: "5") && lo == UInt8(ascii: "c") { return true }
                if hi == UInt8(ascii: "2") && lo == UInt8(ascii: "e") {
                    dots += 1
                    i += 3
                } else if hi == UInt8(ascii: "3") && lo == UInt8(ascii: "b") {
                    if isDotSegment() { return true }
                    other = true
                    i += 3
                } else {
                    // Not an encoded dot: step over the `%` alone, so a `/` right after it
                    // (`a%2/%2e%2e`) still ends the segment.
                    other = true
                    i += 1
                }
            } else if c == UInt8(ascii: ".") {
                dots += 1
                i += 1
            } else if c == UInt8(ascii: ";") {
                if isDotSegment() { return true }
                other = true
                i += 1
            } else {
                other = true
                i += 1
            }
        }
        return isDotSegment()
    }
}
