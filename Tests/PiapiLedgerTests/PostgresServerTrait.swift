import PiapiTestSupport
import Testing

/// `@Suite(.postgresServer)`: one real PostgreSQL for the whole suite, started before its
/// first test and stopped by pid after its last, reachable through `PostgresServerTrait.current`.
struct PostgresServerTrait: SuiteTrait, TestScoping {
    @TaskLocal static var current: TestPostgres?

    func provideScope(for test: Test, testCase: Test.Case?, performing function: () async throws -> Void) async throws {
        let server = try await TestPostgres.start()
        defer { server.destroy() }
        try await Self.$current.withValue(server) { try await function() }
    }

    /// The suite's server; a test outside such a suite fails here.
    static var server: TestPostgres {
        get throws {
            guard let current else { throw TestPostgres.Failure(description: "not inside a @Suite(.postgresServer)") }
            return current
        }
    }
}

extension Trait where Self == PostgresServerTrait {
    static var postgresServer: Self { PostgresServerTrait() }
}
