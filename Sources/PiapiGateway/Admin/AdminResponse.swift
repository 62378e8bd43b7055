/// One answer of the admin listener, before it is put on the wire.
public struct AdminResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    public var text: String { String(decoding: body, as: UTF8.self) }

    static func json(_ value: AdminJSON, status: Int = 200) -> AdminResponse {
        AdminResponse(status: status, headers: [("Content-Type", "application/json")], body: value.bytes)
    }

    static func error(_ status: Int, _ type: String, _ message: String) -> AdminResponse {
        json(.object([("error", .object([("type", .string(type)), ("message", .string(message))]))]), status: status)
    }

    /// 401 with the Basic challenge and an empty body: nothing about the gateway.
    static let unauthorized = AdminResponse(status: 401, headers: [("WWW-Authenticate", AdminAuthorization.challenge)])
}
