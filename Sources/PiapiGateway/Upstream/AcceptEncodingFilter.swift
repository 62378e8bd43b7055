/// Keeps a client's `Accept-Encoding` to the codings the usage tap can read (gzip, deflate,
/// identity). Forwarded as sent, `br` or `zstd` let the client choose a body the gateway
/// cannot read, so its tokens would never count towards its budgets (found by a review).
enum AcceptEncodingFilter {
    private static let readable = ["gzip", "x-gzip", "deflate", "identity"].map { Array($0.utf8) }

    /// The value to send upstream: the client's readable codings, each with its parameters
    /// (`;q=…`) as sent, in its order; `identity` when none is left.
    static func filtered(_ b: UnsafeRawBufferPointer, _ value: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        ASCII.forEachToken(b, value) { item in
            let end = b[item].firstIndex(of: UInt8(ascii: ";")) ?? item.upperBound
            let coding = ASCII.trimmed(b, item.lowerBound..<end)
            guard readable.contains(where: { ASCII.equalsIgnoringCase(b, coding, $0) }) else { return }
            if !out.isEmpty { out.append(contentsOf: ", ".utf8) }
            out.append(contentsOf: b[item])
        }
        return out.isEmpty ? Array("identity".utf8) : out
    }
}
