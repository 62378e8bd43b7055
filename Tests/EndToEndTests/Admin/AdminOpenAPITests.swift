import Foundation
import Testing

/// docs/admin-openapi.yaml against the answers of a real piapi-serve with traffic: every JSON
/// answer conforms (every key listed, every required key present, every value of its type),
/// and the document and the server list the same endpoints.
@Suite("Admin API matches docs/admin-openapi.yaml")
struct AdminOpenAPITests {
    static let jsonRequests: [(path: String, query: String)] = [
        ("/api/status", ""), ("/api/routes", ""), ("/api/routes", "?user=alice&limit=1"), ("/api/requests", ""),
        ("/api/requests", "?user=bob&status=5xx&limit=3"), ("/api/requests", "?status=200"), ("/api/usage", ""),
        ("/api/usage", "?by=user,service,provider,key,model,day"), ("/api/usage", "?since=2020-01-01&by=day"),
        ("/api/limits", ""),
    ]

    @Test("every JSON answer conforms to its schema; 400s to the error schema")
    func answersConform() async throws {
        let schema = try OpenAPISchema.load()
        let serve = try await AdminServe.start()
        do {
            try await serve.traffic()
            for (path, query) in Self.jsonRequests {
                let response = try await serve.admin(path + query)
                #expect(response.status == 200, "\(path)\(query)")
                #expect(response.header("content-type") == "application/json")
                let value = try JSONValue.parse(response.body)
                let problems = try schema.violations(of: value, against: schema.responseSchema(path))
                #expect(problems.isEmpty, "\(path)\(query): \(problems.joined(separator: "; "))")
            }
            for (path, query) in [
                ("/api/requests", "?status=abc"), ("/api/requests", "?limit=0"), ("/api/usage", "?by=colour"),
                ("/api/usage", "?since=last-week"),
            ] {
                let response = try await serve.admin(path + query)
                #expect(response.status == 400, "\(path)\(query)")
                let problems = try schema.violations(
                    of: JSONValue.parse(response.body),
                    against: schema.responseSchema(path, status: "400"))
                #expect(problems.isEmpty, "\(path)\(query): \(problems.joined(separator: "; "))")
            }
            // The document lists exactly what the server answers.
            let documented = Set(schema.paths)
            #expect(
                documented == [
                    "/", "/api/status", "/api/routes", "/api/requests", "/api/usage", "/api/limits", "/metrics",
                ])
            for path in documented {
                #expect(try await serve.admin(path).status == 200, "\(path)")
            }
            _ = try schema.responseSchema("/", mediaType: "text/html")
            _ = try schema.responseSchema("/metrics", mediaType: "text/plain")
        } catch {
            await serve.stop()
            throw error
        }
        await serve.stop()
    }

    @Test("the validator itself catches extra keys, missing keys and wrong types")
    func validatorCatchesMistakes() throws {
        let schema = try OpenAPISchema.load()
        let error = try schema.resolve("#/components/schemas/Error")
        let good = try JSONValue.parse(Array(#"{"error":{"type":"bad_request","message":"m"}}"#.utf8))
        #expect(try schema.violations(of: good, against: error).isEmpty)
        for bad in [
            #"{"error":{"type":"bad_request","message":"m"},"extra":1}"#, #"{"error":{"type":"bad_request"}}"#,
            #"{"error":{"type":1,"message":"m"}}"#, #"{"error":null}"#, #"[]"#,
        ] {
            #expect(try !schema.violations(of: JSONValue.parse(Array(bad.utf8)), against: error).isEmpty, "\(bad)")
        }
        let candidate = try schema.resolve("#/components/schemas/Candidate")
        let fractionalWeight =
            #"{"provider":"p","key":"k","weight":1.5,"enabled":true,"healthy":true,"cooldown_seconds":0,"last_outcome":null,"last_attempt_seconds_ago":null,"error_rate":0,"attempts":0,"effective_weight":1}"#
        #expect(
            try schema.violations(of: JSONValue.parse(Array(fractionalWeight.utf8)), against: candidate)
                == ["$.weight: expected an integer"])
    }
}
