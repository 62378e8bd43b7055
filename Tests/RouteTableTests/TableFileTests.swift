import Foundation
import Testing

@testable import RouteTable

@Suite struct TableFileTests {
    private func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("piapi-tablefile-\(UUID().uuidString)")
            .path
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

    /// Someone who can write to the table's directory plants a symlink, or a file they keep a
    /// hard link to, where the temp file used to go (`OUT.tmp-PID`): the keys must not reach it.
    @Test func aPlantedTempNameIsNeitherFollowedNorReused() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/routes.bin"
        let predictable = "\(path).tmp-\(getpid())"
        try FileManager.default.createSymbolicLink(atPath: predictable, withDestinationPath: dir + "/stolen")
        try TableFile.writeAtomically(TableFile.encode(try SampleTables.small(), as: .binary), to: path)
        #expect(!FileManager.default.fileExists(atPath: dir + "/stolen"), "the symlink was followed")
        #expect(try TableFile.load(path: path) == SampleTables.small())

        try FileManager.default.removeItem(atPath: predictable)
        #expect(FileManager.default.createFile(atPath: predictable, contents: nil))
        try FileManager.default.linkItem(atPath: predictable, toPath: dir + "/kept")
        try TableFile.writeAtomically(TableFile.encode(try SampleTables.small(), as: .json), to: path)
        #expect(
            FileManager.default.contents(atPath: dir + "/kept")?.isEmpty == true, "a planted file received the table")
    }

    @Test func theTempFileIsCreatedOnlyWhereNothingIsYet() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(FileManager.default.createFile(atPath: dir + "/planted", contents: Data("theirs".utf8)))
        try FileManager.default.createSymbolicLink(atPath: dir + "/link", withDestinationPath: dir + "/planted")
        try FileManager.default.createSymbolicLink(atPath: dir + "/dangling", withDestinationPath: dir + "/target")
        for taken in ["planted", "link", "dangling"] {
            #expect(try TableFile.createExclusively(dir + "/" + taken) == nil, "\(taken) was opened")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/target"), "the dangling symlink was followed")
        #expect(FileManager.default.contents(atPath: dir + "/planted") == Data("theirs".utf8))

        let descriptor = try #require(try TableFile.createExclusively(dir + "/fresh"))
        close(descriptor)
        let mode = try FileManager.default.attributesOfItem(atPath: dir + "/fresh")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(throws: TableError.self) { try TableFile.createExclusively(dir + "/no-such-dir/fresh") }
    }

    @Test func aFailedRenameLeavesNoTempFile() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/routes.bin"
        try FileManager.default.createDirectory(atPath: path + "/occupied", withIntermediateDirectories: true)
        #expect(throws: TableError.self) { try TableFile.writeAtomically([1, 2, 3], to: path) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["routes.bin"], "no temp file left behind")
    }

    @Test func missingFilesAndDirectoriesAreIOErrors() throws {
        #expect(throws: TableError.self) { try TableFile.load(path: "/nonexistent/routes.bin") }
        #expect(throws: TableError.self) {
            try TableFile.writeAtomically([1, 2, 3], to: "/nonexistent/dir/routes.bin")
        }
    }
}
