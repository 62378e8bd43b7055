import Foundation
import PiapiGateway
import RouteTable
import Testing

@Suite("TableLoader")
struct TableLoaderTests {
    @Test("loads binary and JSON tables alike and resolves ${VAR}s")
    func loadsBothFormats() throws {
        let directory = try TableFixtures.makeDirectory()
        let table = try TableFixtures.table(variable: "PIAPI_TEST_UPSTREAM_KEY")
        for format in [TableFile.Format.binary, .json] {
            let path = "\(directory)/routes.\(format.rawValue)"
            try TableFile.writeAtomically(TableFile.encode(table, as: format), to: path)
            let loaded = try TableLoader(path: path, environment: ["PIAPI_TEST_UPSTREAM_KEY": "sk-env-value"]).load()
            #expect(loaded.hash == table.contentHash)
            #expect(loaded.credentials == ["Bearer sk-env-value"])
        }
    }

    @Test("a missing file is named")
    func missingFile() throws {
        let path = try TableFixtures.makeDirectory() + "/absent.bin"
        #expect(throws: TableLoadError.missing(path: path)) { try TableLoader(path: path, environment: [:]).load() }
        #expect(TableLoadError.missing(path: path).description.contains(path))
    }

    @Test(
        "bytes that are no table are refused",
        arguments: [
            Array("hello, this is not a route table".utf8), [], Array("{\"not\": \"a table\"}".utf8),
        ])
    func corruptFile(bytes: [UInt8]) throws {
        let path = try TableFixtures.makeDirectory() + "/routes.bin"
        try TableFile.writeAtomically(bytes, to: path)
        let error = try #require(throws: TableLoadError.self) { try TableLoader(path: path, environment: [:]).load() }
        guard case .unreadable = error else {
            Issue.record("expected .unreadable, got \(error)")
            return
        }
        #expect(!error.description.contains("\n"))
    }

    @Test("a truncated binary table is refused without leaking its credential")
    func truncatedFile() throws {
        let path = try TableFixtures.makeDirectory() + "/routes.bin"
        let bytes = TableFile.encode(try TableFixtures.table(), as: .binary)
        for length in [bytes.count - 1, bytes.count / 2, 8] {
            try TableFile.writeAtomically(Array(bytes.prefix(length)), to: path)
            let error = try #require(throws: TableLoadError.self) {
                try TableLoader(path: path, environment: [:]).load()
            }
            #expect(!error.description.contains(TableFixtures.literalSecret))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("an unset variable is named, and no environment value appears")
    func unresolvedVariable() throws {
        let path = try TableFixtures.makeDirectory() + "/routes.bin"
        try TableFile.writeAtomically(
            TableFile.encode(try TableFixtures.table(variable: "PIAPI_MISSING_KEY"), as: .binary), to: path)
        let environment = ["PIAPI_OTHER_KEY": "sk-other-secret-123", "HOME": "/root"]
        let error = try #require(throws: TableLoadError.self) {
            try TableLoader(path: path, environment: environment).load()
        }
        #expect(error == .unresolvedVariable(path: path, name: "PIAPI_MISSING_KEY"))
        #expect(error.description.contains("PIAPI_MISSING_KEY"))
        #expect(!error.description.contains("sk-other-secret-123"))
    }

    @Test(
        "a ${VAR} that is empty or holds a control character is refused by name, its value never shown",
        arguments: [
            ("sk-env-secret\r\nX-Injected: yes", UnresolvedVariable.Problem.controlCharacter),
            ("sk-env-secret\r", .controlCharacter), ("", .empty),
        ])
    func unusableVariable(value: String, problem: UnresolvedVariable.Problem) throws {
        let path = try TableFixtures.makeDirectory() + "/routes.bin"
        try TableFile.writeAtomically(
            TableFile.encode(try TableFixtures.table(variable: "PIAPI_BAD_KEY"), as: .binary), to: path)
        let error = try #require(throws: TableLoadError.self) {
            try TableLoader(path: path, environment: ["PIAPI_BAD_KEY": value]).load()
        }
        #expect(error == .unresolvedVariable(path: path, name: "PIAPI_BAD_KEY", problem: problem))
        #expect(error.description.contains("PIAPI_BAD_KEY"))
        #expect(!error.description.contains("sk-env-secret") && !error.description.contains("Injected"))
        #expect(!error.description.contains("\n") && !error.description.contains("\r"))
    }
}
