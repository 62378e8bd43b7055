/// The methods the gateway answers 405 and never forwards: an upstream that honours `TRACE`
/// (Apache does by default) or IIS's `TRACK` echoes the request head, injected credential
/// included, back to the client; `CONNECT` would ask the gateway for a tunnel to anywhere.
enum RefusedMethod {
    private static let names: [[UInt8]] = [Array("trace".utf8), Array("track".utf8), Array("connect".utf8)]

    /// Whether the request line in `head` starts with a refused method, in any case: methods
    /// are case-sensitive, but an upstream that matches them loosely would still echo
    /// `trace`. Reads the raw bytes, so a `CONNECT host:443` whose authority-form target the
    /// parser refuses is still recognised.
    static func starts(_ head: UnsafeRawBufferPointer) -> Bool {
        names.contains { name in
            head.count > name.count && head[name.count] == ASCII.space
                && ASCII.equalsIgnoringCase(head, 0..<name.count, name)
        }
    }
}
