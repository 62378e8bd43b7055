import PiapiGateway
import RouteTable
import Testing

@Suite("--env-allow")
struct EnvironmentAllowListTests {
    @Test("names and PREFIX* patterns; no list or * allows everything")
    func matching() throws {
        let list = try EnvironmentAllowList(patterns: ["OPENAI_*", "ANTHROPIC_MAIN_KEY"])
        #expect(list.allows("OPENAI_MAIN_KEY"))
        #expect(list.allows("OPENAI_"))
        #expect(list.allows("ANTHROPIC_MAIN_KEY"))
        #expect(!list.allows("ANTHROPIC_MAIN_KEY_2"))
        #expect(!list.allows("AWS_SECRET_ACCESS_KEY"))
        #expect(!list.allows("openai_main_key"))
        #expect(list.description == "ANTHROPIC_MAIN_KEY,OPENAI_*")
        #expect(try EnvironmentAllowList(patterns: []).allows("ANYTHING"))
        #expect(try EnvironmentAllowList(patterns: ["*", "X"]).allows("ANYTHING"))
    }

    @Test(
        "patterns that are no variable name are refused",
        arguments: ["", "OPENAI-*", "*KEY", "A*B", "1ABC", "A B", "**"])
    func invalid(pattern: String) {
        #expect(throws: EnvironmentAllowList.InvalidPattern(pattern: pattern)) {
            try EnvironmentAllowList(patterns: [pattern])
        }
    }

    @Test("a table reading a variable outside the list does not load: named, no value shown")
    func tableRefused() throws {
        let path = try TableFixtures.makeDirectory() + "/routes.bin"
        try TableFile.writeAtomically(
            TableFile.encode(try TableFixtures.table(variable: "AWS_SECRET_ACCESS_KEY"), as: .binary), to: path)
        let environment = ["AWS_SECRET_ACCESS_KEY": "aws-secret-value-0123"]
        let list = try EnvironmentAllowList(patterns: ["PIAPI_*"])
        let error = try #require(throws: TableLoadError.self) {
            try TableLoader(path: path, environment: environment, allowed: list).load()
        }
        #expect(error == .unresolvedVariable(path: path, name: "AWS_SECRET_ACCESS_KEY", problem: .notAllowed))
        #expect(error.description.contains("AWS_SECRET_ACCESS_KEY, which --env-allow does not allow"))
        #expect(!error.description.contains("aws-secret-value"))
        // The same table loads without a list, and with one that names the variable.
        #expect(
            try TableLoader(path: path, environment: environment).load().credentials == ["Bearer aws-secret-value-0123"]
        )
        let named = try EnvironmentAllowList(patterns: ["AWS_SECRET_ACCESS_KEY"])
        #expect(try TableLoader(path: path, environment: environment, allowed: named).load().credentials.count == 1)
    }

    @Test("a reserved variable keeps its own, more specific refusal under a list")
    func reservedStaysReserved() throws {
        let path = try TableFixtures.makeDirectory() + "/routes.bin"
        try TableFile.writeAtomically(
            TableFile.encode(try TableFixtures.table(variable: "PGPASSWORD"), as: .binary), to: path)
        let list = try EnvironmentAllowList(patterns: ["PIAPI_*"])
        #expect(throws: TableLoadError.unresolvedVariable(path: path, name: "PGPASSWORD", problem: .reserved)) {
            try TableLoader(path: path, environment: ["PGPASSWORD": "x"], allowed: list).load()
        }
    }
}
