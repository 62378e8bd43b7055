/// Where a PostgreSQL ledger lives and how to log in. The password is kept out of every
/// public property, description and mirror: only the store reads it, to connect.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// libpq's `sslmode` values that mean something to a client which cannot load a CA file:
    /// `prefer` (libpq's default) and `require` encrypt without checking the certificate, as
    /// libpq does; `verify-full` checks it against the system's roots and the host name.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: SSLMode
    /// libpq's `connect_timeout`, in whole seconds: how long opening a connection (TCP, TLS,
    /// login) may take before the operation fails. A busy database host may need more than
    /// the default.
    public var connectTimeoutSeconds: Int
    public static let defaultConnectTimeoutSeconds = 5
    /// From the URL, else from `PGPASSWORD`; nil when neither gave one.
    let password: String?

    public var hasPassword: Bool { password != nil }

    init(
        host: String, port: Int, user: String, password: String?, database: String, sslMode: SSLMode,
        connectTimeoutSeconds: Int = defaultConnectTimeoutSeconds
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// The URL with the password replaced by `***`: safe for logs and errors.
    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let userPart = URLComponent.encode(user) + (hasPassword ? ":***" : "")
        let timeout =
            connectTimeoutSeconds == Self.defaultConnectTimeoutSeconds
            ? "" : "&connect_timeout=\(connectTimeoutSeconds)"
        return "postgres://\(userPart)@\(hostPart):\(port)/\(URLComponent.encode(database))?sslmode=\(sslMode.rawValue)"
            + timeout
    }

    public var debugDescription: String { description }

    /// `dump()` and debuggers show the masked form too.
    public var customMirror: Mirror { Mirror(self, children: ["url": description]) }
}
