// Output handling: files appear whole or not at all (temporary name, then rename), attn-gen
// replaces only files that carry its own header, and nothing in a spec can make it write
// outside the output folder.

import AttnGen
import Foundation
import Synchronization
import Testing

@Suite("Output handling")
struct OutputTests {
    static let spec = #"{"name": "blk", "kind": "se", "input": {"c": 16, "h": 4, "w": 4}}"#

    /// A folder holding spec.json (`text`), and the folder.
    func folder(_ text: String = spec) throws -> URL {
        let dir = try makeTempDir("out")
        try Data(text.utf8).write(to: dir.appendingPathComponent("spec.json"))
        return dir
    }

    func inode(_ path: String) -> UInt64? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.uint64Value
    }

    @Test func rewritingReplacesTheFileByRenameAndLeavesNoTemporaries() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir).status == 0)
        let header = dir.appendingPathComponent("out/blk.h").path
        let first = try #require(inode(header))
        // A reader holding the old file keeps reading the old bytes: rename swaps the name, it does
        // not write into the open file.
        let reader = try #require(FileHandle(forReadingAtPath: header))
        let r = runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(inode(header) != first, "the file was rewritten in place, not renamed over")
        let old = String(decoding: try reader.readToEnd() ?? Data(), as: UTF8.self)
        #expect(old.hasPrefix(generatedMarker))
        try reader.close()
        #expect(listing(dir.appendingPathComponent("out")) == ["blk.c", "blk.h"])
    }

    @Test func concurrentRunsNeverLeaveAPartialFile() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(runProcess(attnGenBinary, ["spec.json", "-o", "ref"], in: dir).status == 0)
        let expected = try ["blk.c", "blk.h"].map { try Data(contentsOf: dir.appendingPathComponent("ref/\($0)")) }
        // Six writers at once into one folder: each file must end up whole (one writer's bytes).
        let statuses = Mutex<[Int32]>([])
        DispatchQueue.concurrentPerform(iterations: 6) { _ in
            let status = runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir).status
            statuses.withLock { $0.append(status) }
        }
        #expect(statuses.withLock { $0 } == [Int32](repeating: 0, count: 6))
        let got = try ["blk.c", "blk.h"].map { try Data(contentsOf: dir.appendingPathComponent("out/\($0)")) }
        #expect(got == expected)
        #expect(listing(dir.appendingPathComponent("out")) == ["blk.c", "blk.h"])
    }

    @Test func aFileItDidNotWriteIsNeverOverwritten() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // The .c is foreign; the .h, which comes first, must not be written either.
        let mine = "/* my own kernel */\nint x;\n"
        try Data(mine.utf8).write(to: out.appendingPathComponent("blk.c"))
        let r = runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir)
        #expect(r.status == 1)
        #expect(r.errorLines.count == 1 && r.stderr.contains("refusing to overwrite") && r.stderr.contains("blk.c"), "\(r.stderr)")
        #expect(try String(contentsOf: out.appendingPathComponent("blk.c"), encoding: .utf8) == mine)
        #expect(listing(out) == ["blk.c"])
    }

    @Test func aFileThatMerelyMentionsTheMarkerLaterIsForeign() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let text = "// notes\n" + generatedMarker + " */\n"
        try Data(text.utf8).write(to: out.appendingPathComponent("blk.h"))
        #expect(runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir).status == 1)
        #expect(try String(contentsOf: out.appendingPathComponent("blk.h"), encoding: .utf8) == text)
    }

    @Test func aFolderInTheWayIsRefusedNotACrash() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("out/blk.c"), withIntermediateDirectories: true)
        let r = runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir)
        #expect(r.status == 1, "exit \(r.status): \(r.stderr)")
        #expect(r.errorLines.count == 1 && r.stderr.contains("refusing to overwrite"), "\(r.stderr)")
        #expect(listing(dir.appendingPathComponent("out")) == ["blk.c"])
    }

    @Test func anOutputPathThatIsAFileIsAnError() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("x".utf8).write(to: dir.appendingPathComponent("out"))
        let r = runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir)
        #expect(r.status == 1)
        #expect(r.errorLines.count == 1 && r.stderr.hasPrefix("error: cannot create output folder"), "\(r.stderr)")
        #expect(listing(dir) == ["out", "spec.json"])
    }

    @Test func aSymlinkInTheOutputFolderIsReplacedNotFollowed() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // blk.h links to a generated file outside the folder: rename replaces the link itself.
        #expect(runProcess(attnGenBinary, ["spec.json", "-o", "elsewhere"], in: dir).status == 0)
        let outside = dir.appendingPathComponent("elsewhere/blk.h")
        let before = try Data(contentsOf: outside)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: out.appendingPathComponent("blk.h"), withDestinationURL: outside)
        #expect(runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir).status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("blk.h").path)
        #expect(attributes[.type] as? FileAttributeType == .typeRegular)
        #expect(try Data(contentsOf: outside) == before)
    }

    /// Names decide the file names; every one that could leave the folder is refused before
    /// anything is written, also as the second block of a list.
    @Test(arguments: ["../evil", "/tmp/evil", "a/../../evil", "..", ".hidden", "~root", "a\\b", "evil\tx"])
    func noSpecNameWritesOutsideTheFolder(_ name: String) throws {
        let quoted = String(decoding: try JSONEncoder().encode(name), as: UTF8.self)
        let text = #"{"blocks": [{"name": "ok", "kind": "eca", "input": {"c": 8, "h": 2, "w": 2}}, "#
            + #"{"name": \#(quoted), "kind": "eca", "input": {"c": 8, "h": 2, "w": 2}}]}"#
        let root = try makeTempDir("escape")
        defer { try? FileManager.default.removeItem(at: root) }
        let dir = root.appendingPathComponent("a/b/c", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: dir.appendingPathComponent("spec.json"))
        let r = runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir)
        #expect(r.status == 1)
        #expect(r.errorLines.count == 1 && r.stderr.contains("name") && r.stderr.contains("not a C identifier"), "\(r.stderr)")
        #expect(listing(root) == ["a", "a/b", "a/b/c", "a/b/c/spec.json"])
    }

    @Test func weightsPathsOnlyRead() throws {
        // A weights path that climbs out of the folder is read (that is allowed), never written.
        let root = try makeTempDir("weights-path")
        defer { try? FileManager.default.removeItem(at: root) }
        let specDir = root.appendingPathComponent("specs", isDirectory: true)
        try FileManager.default.createDirectory(at: specDir, withIntermediateDirectories: true)
        let weights = seWeights()
        try Data(weights).write(to: root.appendingPathComponent("w.safetensors"))
        let text = #"{"name": "blk", "kind": "se", "input": {"c": 16, "h": 4, "w": 4}, "weights": "../w.safetensors"}"#
        try Data(text.utf8).write(to: specDir.appendingPathComponent("spec.json"))
        let r = runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: specDir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Data(contentsOf: root.appendingPathComponent("w.safetensors")) == Data(weights))
        #expect(listing(root) == ["specs", "specs/out", "specs/out/blk.c", "specs/out/blk.h", "specs/spec.json", "w.safetensors"])
    }

    @Test func aFailingSecondBlockLeavesTheFirstUnwritten() throws {
        let text = #"{"blocks": [{"name": "a", "kind": "eca", "input": {"c": 8, "h": 2, "w": 2}}, "#
            + #"{"name": "b", "kind": "eca", "input": {"c": 8, "h": 2, "w": 2}, "weights": "missing.safetensors"}]}"#
        let dir = try folder(text)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir)
        #expect(r.status == 1)
        #expect(listing(dir) == ["spec.json"])
    }
}
