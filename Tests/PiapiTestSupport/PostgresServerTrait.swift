import Testing

/// `@Suite(.postgresServer)`: one real PostgreSQL for the whole suite, started before its
/// first test and stopped by pid after its last, reachable through `PostgresServerTrait.current`.
public struct PostgresServerTrait: SuiteTrait, TestScoping {
    @TaskLocal public static var current: TestPostgres?

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: () async throws -> Void
    ) async throws {
        let server = try await TestPostgres.start()
        do {
            try await Self.$current.withValue(server) { try await function() }
        } catch {
            await server.destroy()
            throw error
        }
        await server.destroy()
    }

    /// The suite's server; a test outside such a suite fails here.
    public static var server: TestPostgres {
        get throws {
            guard let current else { throw TestPostgres.Failure(description: "not inside a @Suite(.postgresServer)") }
            return current
        }
    }
}

extension Trait where Self == PostgresServerTrait {
    public static var postgresServer: Self { PostgresServerTrait() }
}
