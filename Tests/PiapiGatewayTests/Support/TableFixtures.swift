import Foundation
import RouteTable

/// Small route tables built in code, and scratch directories to put them in.
enum TableFixtures {
    /// The literal upstream key baked into fixture tables; it must never show up in output.
    static let literalSecret = "sk-literal-0f9e8d7c6b5a"

    /// A table with one user whose routes cover `services`; `variable` makes the credential
    /// `${variable}` instead of the literal secret.
    static func table(
        services: [String] = ["codex"], user: String = "alice", userKey: String = "user-key-1",
        variable: String? = nil
    ) throws -> RouteTable {
        let value =
            variable.map { SecretTemplate(parts: [.literal("Bearer "), .variable($0)]) }
            ?? SecretTemplate(literal: "Bearer \(literalSecret)")
        let targets = services.map { service in
            Target(
                provider: "provider-alpha", keyName: "main-key", serviceType: service,
                upstream: Upstream(scheme: .http, host: "127.0.0.1", port: 9, basePath: "/v1", baseQuery: ""),
                injection: Injection(mode: .header, name: "Authorization", value: value))
        }
        let routes = services.indices.map { Route(service: services[$0], candidates: [.init(target: $0)]) }
        return try RouteTable(
            targets: targets,
            users: [
                UserRoutes(keyDigest: KeyDigest(ofKey: userKey), name: user, routes: routes)
            ])
    }

    /// A fresh empty directory under the system temporary directory.
    static func makeDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("piapi-ops-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Overwrites `path` in place (same inode): truncate, then write.
    static func writeInPlace(_ bytes: [UInt8], to path: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }
}

/// A table plus its encodings, for tests that write files.
struct TableFixture {
    let table: RouteTable
    var binary: [UInt8] { TableFile.encode(table, as: .binary) }
    var json: [UInt8] { TableFile.encode(table, as: .json) }
    var hash: String { table.contentHash }
}
