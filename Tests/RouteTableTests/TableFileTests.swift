import Foundation
import RouteTable
import Testing

@Suite struct TableFileTests {
    private func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("piapi-tablefile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func sniffsBothFormats() throws {
        let table = try SampleTables.small()
        #expect(try TableFile.decode(TableFile.encode(table, as: .binary)) == table)
        #expect(try TableFile.decode(Array("  \n".utf8) + TableFile.encode(table, as: .json)) == table)
        #expect(throws: TableError.unrecognized("the file is empty")) { try TableFile.decode([]) }
        #expect(throws: TableError.self) { try TableFile.decode(Array("users: []".utf8)) }
    }

    @Test func writesAtomicallyWithMode0600() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/routes.bin"
        let table = try SampleTables.small()
        try TableFile.writeAtomically(TableFile.encode(table, as: .binary), to: path)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try TableFile.load(path: path) == table)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["routes.bin"], "no temp file left behind")
    }

    @Test func missingFilesAndDirectoriesAreIOErrors() throws {
        #expect(throws: TableError.self) { try TableFile.load(path: "/nonexistent/routes.bin") }
        #expect(throws: TableError.self) {
            try TableFile.writeAtomically([1, 2, 3], to: "/nonexistent/dir/routes.bin")
        }
    }
}
