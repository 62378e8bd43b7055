import Foundation
import NIOConcurrencyHelpers

/// A real PostgreSQL server for tests: `initdb` into a temporary directory, `postgres` on a
/// free 127.0.0.1 port with password (SCRAM) authentication, stopped by its pid. Postgres
/// refuses to run as root, so under root (CI) it runs as the unprivileged `piapi-test`
/// user, created on first use. Needs Debian's `postgresql` package (`/usr/lib/postgresql/N/bin`,
/// or set `PIAPI_POSTGRES_BIN`).
public final class TestPostgres: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// The superuser's name and password.
    public let user = "postgres"
    public let password: String
    public let port: Int
    /// The data directory, the log and the socket live under here; removed by `destroy()`.
    public let directory: URL
    private let binaries: URL
    private let account: (uid: uid_t, gid: gid_t)?
    private let server = NIOLockedValueBox<Process?>(nil)

    /// initdb, then start. One server per suite keeps suites quick (initdb is most of the cost).
    public static func start() async throws -> TestPostgres {
        let binaries = try findBinaries()
        let account = try geteuid() == 0 ? unprivilegedAccount() : nil
        // Not $TMPDIR: the server user must be able to reach the directory.
        let directory = URL(fileURLWithPath: "/tmp/piapi-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let password = "pw-\(UUID().uuidString)"
        let passwordFile = directory.appendingPathComponent("pwfile")
        try Data(password.utf8).write(to: passwordFile)
        if let account {
            for path in [directory.path, passwordFile.path] { chown(path, account.uid, account.gid) }
        }
        chmod(directory.path, 0o700)
        let server = TestPostgres(
            binaries: binaries, account: account, directory: directory, password: password, port: try freePort())
        do {
            try await server.run(
                "initdb",
                [
                    "-D", server.dataDirectory, "-U", server.user, "--auth=scram-sha-256",
                    "--pwfile=\(passwordFile.path)",
                    "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C",
                ])
            try await server.restart()
        } catch {
            await server.destroy()
            throw error
        }
        return server
    }

    private init(binaries: URL, account: (uid: uid_t, gid: gid_t)?, directory: URL, password: String, port: Int) {
        self.binaries = binaries
        self.account = account
        self.directory = directory
        self.password = password
        self.port = port
    }

    private var dataDirectory: String { directory.appendingPathComponent("data").path }
    private var logFile: URL { directory.appendingPathComponent("postgres.log") }

    /// A ledger URL for `database`; with `includePassword: false` the password must come
    /// from `PGPASSWORD`.
    public func url(database: String = "postgres", includePassword: Bool = true) -> String {
        "postgres://\(user)\(includePassword ? ":\(password)" : "")@127.0.0.1:\(port)/\(database)?sslmode=disable&connect_timeout=60"
    }

    /// The server's pid while it runs.
    public var pid: Int32? { server.withLockedValue { $0?.isRunning == true ? $0?.processIdentifier : nil } }

    /// Starts `postgres` on the existing data directory and port, and waits until it accepts
    /// connections. After `stop()` this brings the same server back.
    public func restart() async throws {
        guard pid == nil else { return }
        let (executable, arguments) = command(
            "postgres",
            [
                "-D", dataDirectory, "-p", "\(port)", "-c", "listen_addresses=127.0.0.1",
                "-c", "unix_socket_directories=\(directory.path)", "-c", "fsync=off", "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off", "-c", "max_connections=40", "-c", "shared_buffers=16MB",
            ])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if !FileManager.default.fileExists(atPath: logFile.path) {
            _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        server.withLockedValue { $0 = process }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            guard process.isRunning else { throw Failure(description: "postgres exited at start:\n\(logTail())") }
            if (try? await run("pg_isready", ["-h", "127.0.0.1", "-p", "\(port)", "-t", "1"], asServerUser: false))
                != nil
            {
                return
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        await stop()
        throw Failure(description: "postgres did not become ready in 30 s:\n\(logTail())")
    }

    /// Fast shutdown by pid (SIGINT: open connections are closed at once), then SIGKILL if it
    /// lingers past 10 s.
    public func stop() async {
        guard
            let process = server.withLockedValue({ state -> Process? in
                defer { state = nil }
                return state
            }), process.isRunning
        else { return }
        kill(process.processIdentifier, SIGINT)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }
    }

    /// Stops the server and removes its directory.
    public func destroy() async {
        await stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Creates an empty database (a test's own ledger).
    public func createDatabase(_ name: String) async throws {
        try await run("createdb", ["-h", "127.0.0.1", "-p", "\(port)", "-U", user, name], asServerUser: false)
    }

    /// Runs SQL with `psql` and returns its unaligned, tuples-only output.
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") async throws -> String {
        try await run(
            "psql",
            [
                "-h", "127.0.0.1", "-p", "\(port)", "-U", user, "-d", database, "-X", "-At", "-v", "ON_ERROR_STOP=1",
                "-c", sql,
            ],
            asServerUser: false)
    }

    // MARK: - Processes

    /// The executable and arguments for a server binary, dropped to `account` under root.
    private func command(
        _ binary: String, _ arguments: [String], asServerUser: Bool = true
    ) -> (executable: String, arguments: [String]) {
        let path = binaries.appendingPathComponent(binary).path
        guard asServerUser, let account else { return (path, arguments) }
        // setpriv execs the server itself, so the pid we hold is postgres's own.
        return (
            "/usr/bin/setpriv",
            ["--reuid=\(account.uid)", "--regid=\(account.gid)", "--clear-groups", "--", path] + arguments
        )
    }

    /// Runs a binary to completion, waiting on a dispatch thread so no cooperative thread of
    /// the test runner is blocked.
    @discardableResult
    private func run(_ binary: String, _ arguments: [String], asServerUser: Bool = true) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result { try self.runBlocking(binary, arguments, asServerUser: asServerUser) })
            }
        }
    }

    private func runBlocking(_ binary: String, _ arguments: [String], asServerUser: Bool) throws -> String {
        let (executable, fullArguments) = command(binary, arguments, asServerUser: asServerUser)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = fullArguments
        var environment = ProcessInfo.processInfo.environment
        environment["PGPASSWORD"] = password
        environment["LC_ALL"] = "C"
        process.environment = environment
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(binary) exited with \(process.terminationStatus): \(text)")
        }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func logTail() -> String {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(20).joined(separator: "\n")
    }

    private static func findBinaries() throws -> URL {
        if let configured = ProcessInfo.processInfo.environment["PIAPI_POSTGRES_BIN"] {
            return URL(fileURLWithPath: configured)
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/postgres") }
            .sorted { (Int($0) ?? 0) < (Int($1) ?? 0) }
        guard let newest = versions.last else {
            throw Failure(
                description:
                    "no PostgreSQL server in \(root)/*/bin: apt-get install postgresql (or set PIAPI_POSTGRES_BIN)")
        }
        return URL(fileURLWithPath: "\(root)/\(newest)/bin")
    }

    /// The `piapi-test` system user, created when missing (needs root, which is why we are here).
    private static func unprivilegedAccount() throws -> (uid: uid_t, gid: gid_t) {
        let name = "piapi-test"
        if getpwnam(name) == nil {
            let useradd = Process()
            useradd.executableURL = URL(fileURLWithPath: "/usr/sbin/useradd")
            useradd.arguments = ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name]
            try useradd.run()
            useradd.waitUntilExit()
        }
        guard let entry = getpwnam(name) else {
            throw Failure(description: "could not create the \(name) user for postgres")
        }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }

    /// A port nothing listens on now (bound and released; the server takes it a moment later).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
            }
        }
        guard bound else { throw Failure(description: "could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
