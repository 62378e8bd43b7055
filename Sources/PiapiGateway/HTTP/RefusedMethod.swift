/// The methods the gateway answers 405 and never forwards: an upstream that honours `TRACE`
/// (Apache does by default) echoes the request head, injected credential included, back to
/// the client; `CONNECT` would ask the gateway for a tunnel to anywhere.
enum RefusedMethod {
    private static let names: [[UInt8]] = [Array("TRACE".utf8), Array("CONNECT".utf8)]

    /// Whether the request line in `head` starts with a refused method (methods are
    /// case-sensitive). Reads the raw bytes, so a `CONNECT host:443` whose authority-form
    /// target the parser refuses is still recognised.
    static func starts(_ head: UnsafeRawBufferPointer) -> Bool {
        names.contains { name in
            head.count > name.count && head[name.count] == ASCII.space && ASCII.equals(head, 0..<name.count, name)
        }
    }
}
