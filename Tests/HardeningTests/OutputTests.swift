// Output handling: files appear whole or not at all (an exclusively created temporary, then
// rename), attn-gen replaces only files that carry its own header (or a symlink, as a link),
// nothing in a spec can make it write outside the output folder, a failure at any step leaves
// the previous files, and concurrent runs into one folder leave one run's pair. What the CLI
// cannot provoke (a failing rename, a full disk, the lock) is injected into OutputWriter here;
// the CLI-visible cases are in Tests/Hostile/output/.

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
        #expect(r.errorLines.count == 1 && r.stderr.hasPrefix("error: output folder") && r.stderr.contains("is a file, not a folder"), "\(r.stderr)")
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

    // MARK: the writer itself, with failures injected where a CLI run cannot make them happen

    /// Two blocks' pairs, each file starting with the marker and naming `tag`.
    static func pairs(_ tag: String) -> [(name: String, contents: String)] {
        ["a.h", "a.c", "b.h", "b.c"].map { ($0, generatedMarker + " \(tag) */\n\($0) of \(tag)\n") }
    }

    func contents(_ dir: URL) -> [String: String] {
        var out: [String: String] = [:]
        for name in listing(dir) {
            out[name] = (try? String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)) ?? "<not a file>"
        }
        return out
    }

    @Test func plantedTemporaryNamesOfTheOldWriterAreNeverFollowedOrRemoved() throws {
        // The old writer used .NAME.tmp-PID, opened through symlinks, and removed it recursively
        // on failure. Run in this process, so the PID is known, with both traps planted.
        let root = try makeTempDir("planted")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("out")
        let fm = FileManager.default
        try fm.createDirectory(at: out.appendingPathComponent(".b.c.tmp-\(getpid())/inside"), withIntermediateDirectories: true)
        try Data("keep\n".utf8).write(to: out.appendingPathComponent(".b.c.tmp-\(getpid())/inside/keep.txt"))
        let victim = root.appendingPathComponent("victim.txt")
        try Data("victim\n".utf8).write(to: victim)
        try fm.createSymbolicLink(atPath: out.appendingPathComponent(".a.h.tmp-\(getpid())").path, withDestinationPath: victim.path)
        let planted = listing(out)
        // A failing run (the last rename) and a good one: neither touches the planted names.
        #expect(throws: SpecError.self) { try OutputWriter.write(Self.pairs("x"), to: out, failing: [.rename("b.c"): EIO]) }
        #expect(listing(out) == planted)
        try OutputWriter.write(Self.pairs("x"), to: out)
        #expect(listing(out) == (planted + ["a.c", "a.h", "b.c", "b.h"]).sorted())
        #expect(try String(contentsOf: victim, encoding: .utf8) == "victim\n")
        #expect(try String(contentsOf: out.appendingPathComponent(".b.c.tmp-\(getpid())/inside/keep.txt"), encoding: .utf8) == "keep\n")
    }

    static let steps: [OutputStep] = [
        .lock, .writeTemporary("a.h"), .writeTemporary("b.c"), .keepPrevious("a.h"), .keepPrevious("b.c"),
        .rename("a.h"), .rename("a.c"), .rename("b.h"), .rename("b.c"), .syncFolder,
    ]

    /// A rerun failing at any step leaves every previous file as it was (the old rollback deleted
    /// the ones already renamed over), and no temporary, second name or lock file.
    @Test(arguments: steps)
    func aFailedRerunKeepsThePreviousFiles(_ step: OutputStep) throws {
        let out = try makeTempDir("rerun")
        defer { try? FileManager.default.removeItem(at: out) }
        try OutputWriter.write(Self.pairs("old"), to: out)
        let before = contents(out)
        #expect(before.count == 4)
        for code in [EIO, ENOSPC] {
            #expect(throws: SpecError.self) { try OutputWriter.write(Self.pairs("new"), to: out, failing: [step: code]) }
            #expect(contents(out) == before, "after \(step) failed with \(code)")
        }
        try OutputWriter.write(Self.pairs("new"), to: out)
        #expect(contents(out) == Dictionary(uniqueKeysWithValues: Self.pairs("new").map { ($0.name, $0.contents) }))
    }

    /// A symlink at a name is replaced as a link; a failed run puts the link itself back.
    @Test func aFailedRunPutsBackASymlinkItWasReplacing() throws {
        let root = try makeTempDir("relink")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("out")
        try OutputWriter.write(Self.pairs("old"), to: out)
        let victim = root.appendingPathComponent("victim.h")
        try Data("mine\n".utf8).write(to: victim)
        try FileManager.default.removeItem(at: out.appendingPathComponent("a.h"))
        try FileManager.default.createSymbolicLink(atPath: out.appendingPathComponent("a.h").path, withDestinationPath: "../victim.h")
        #expect(throws: SpecError.self) { try OutputWriter.write(Self.pairs("new"), to: out, failing: [.rename("b.c"): EIO]) }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: out.appendingPathComponent("a.h").path) == "../victim.h")
        try OutputWriter.write(Self.pairs("new"), to: out)
        let a = try FileManager.default.attributesOfItem(atPath: out.appendingPathComponent("a.h").path)
        #expect(a[.type] as? FileAttributeType == .typeRegular)
        #expect(try String(contentsOf: victim, encoding: .utf8) == "mine\n")
        #expect(listing(out) == ["a.c", "a.h", "b.c", "b.h"])
    }

    /// A first run failing at any step leaves nothing, not even the folders of `-o a/b/c` it made.
    @Test(arguments: steps.filter { if case .keepPrevious = $0 { false } else { true } })
    func aFailedFirstRunLeavesNoHalfMadePath(_ step: OutputStep) throws {
        let root = try makeTempDir("first")
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(throws: SpecError.self) {
            try OutputWriter.write(Self.pairs("new"), to: root.appendingPathComponent("a/b/c"), failing: [step: EIO])
        }
        #expect(listing(root) == [])
    }

    @Test func aFolderThatCannotBeMadeLeavesNoneOfTheOthers() throws {
        let root = try makeTempDir("mkdir")
        defer { try? FileManager.default.removeItem(at: root) }
        let target = root.appendingPathComponent("a/b/c")
        #expect(throws: SpecError("", "cannot create output folder \(target.path): Permission denied")) {
            try OutputWriter.write(Self.pairs("new"), to: target, failing: [.createFolder(target.path): EACCES])
        }
        #expect(listing(root) == [])
        // A folder that already existed is not removed by a failed run.
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a"), withIntermediateDirectories: true)
        #expect(throws: SpecError.self) { try OutputWriter.write(Self.pairs("new"), to: target, failing: [.rename("b.c"): EIO]) }
        #expect(listing(root) == ["a"])
    }

    /// Tests run as root here, so a chmod-ed folder would be writable: the errno a read-only or
    /// full disk gives is injected at the first write into the folder (the lock) and at the
    /// files' writes.
    @Test func anUnwritableOrFullFolderIsOneClearErrorAndNoChange() throws {
        let out = try makeTempDir("full")
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(throws: SpecError("", "cannot write in \(out.path): Permission denied (creating .attn-gen.lock)")) {
            try OutputWriter.write(Self.pairs("new"), to: out, failing: [.lock: EACCES])
        }
        #expect(throws: SpecError("", "cannot write \(out.path)/b.h: No space left on device")) {
            try OutputWriter.write(Self.pairs("new"), to: out, failing: [.writeTemporary("b.h"): ENOSPC])
        }
        #expect(listing(out) == [])
        #expect(throws: SpecError("", "cannot write \(out.path)/a.c: Read-only file system")) {
            try OutputWriter.write(Self.pairs("new"), to: out, failing: [.rename("a.c"): EROFS])
        }
        #expect(listing(out) == [])
    }

    @Test(arguments: [["x.h", "x.h"], ["se.h", "SE.h"], ["x.h", ".attn-gen.lock"], ["x.h", ".."], ["a/b.h"], [""]])
    func namesOneWriteCannotHoldAreRefused(_ names: [String]) throws {
        let out = try makeTempDir("names")
        defer { try? FileManager.default.removeItem(at: out) }
        #expect(throws: SpecError.self) {
            try OutputWriter.write(names.map { ($0, generatedMarker + " */\n") }, to: out)
        }
        #expect(listing(out) == [])
    }

    /// A socket at an output name is refused like a FIFO: lstat first, never opened.
    @Test func aSocketInTheWayIsRefused() throws {
        let out = try makeTempDir("socket")
        defer { try? FileManager.default.removeItem(at: out) }
        let path = out.appendingPathComponent("a.h").path
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (i, byte) in path.utf8.prefix(buffer.count - 1).enumerated() { buffer[i] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        #expect(throws: SpecError("", "refusing to overwrite \(path): it is a socket, not a file attn-gen wrote")) {
            try OutputWriter.write(Self.pairs("new"), to: out)
        }
        #expect(listing(out) == ["a.h"])
    }

    // MARK: concurrent runs

    /// Specs that all name their block `blk` but differ in shape, so each run's pair is its own.
    static func shapedSpec(_ i: Int) -> String {
        #"{"name": "blk", "kind": "eca", "input": {"c": \#(8 * (i + 1)), "h": 2, "w": 2}}"#
    }

    @Test func concurrentRunsWithDifferentSpecsLeaveAMatchingPair() throws {
        let runs = 8
        let dir = try makeTempDir("pairs")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Each spec's pair, generated alone into its own folder.
        var reference: [[Data]] = []
        for i in 0..<runs {
            try Data(Self.shapedSpec(i).utf8).write(to: dir.appendingPathComponent("spec\(i).json"))
            #expect(runProcess(attnGenBinary, ["spec\(i).json", "-o", "ref\(i)"], in: dir).status == 0)
            reference.append(try ["blk.h", "blk.c"].map { try Data(contentsOf: dir.appendingPathComponent("ref\(i)/\($0)")) })
        }
        #expect(Set(reference.map { $0[0] }).count == runs && Set(reference.map { $0[1] }).count == runs)
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let read = { () -> [Data?] in
            ["blk.h", "blk.c"].map { OutputWriter.regularFileContents(atPath: out.appendingPathComponent($0).path) }
        }
        let seen = Mutex<[[Data?]]>([])
        for _ in 0..<4 {
            let round = Round()
            DispatchQueue.global().async {
                DispatchQueue.concurrentPerform(iterations: runs) { i in
                    let status = runProcess(attnGenBinary, ["spec\(i).json", "-o", "out"], in: dir).status
                    round.statuses.withLock { $0.append(status) }
                }
                round.done.store(true, ordering: .sequentiallyConsistent)
            }
            // Meanwhile a reader holding the writers' lock must always see one run's pair.
            while !round.done.load(ordering: .sequentiallyConsistent) {
                let pair = try OutputWriter.withLock(in: out) { read() }
                seen.withLock { $0.append(pair) }
            }
            #expect(round.statuses.withLock { $0 } == [Int32](repeating: 0, count: runs))
            seen.withLock { $0.append(read()) }
        }
        let pairs = seen.withLock { $0 }
        let mixed = pairs.filter { pair in !(pair == [nil, nil] || reference.contains { $0 == pair.map { $0 ?? Data() } }) }
        #expect(mixed.isEmpty, "\(mixed.count) of \(pairs.count) reads saw a .h and a .c from different runs")
        #expect(pairs.last.map { $0.allSatisfy { $0 != nil } } == true)
        #expect(listing(out) == ["blk.c", "blk.h"])
    }

    @Test func aLockHeldTooLongIsAnErrorNotAHang() throws {
        let out = try makeTempDir("held")
        defer { try? FileManager.default.removeItem(at: out) }
        try OutputWriter.withLock(in: out) {
            // flock locks belong to an open file, so this process's second open waits like another run.
            #expect(throws: SpecError("", "another attn-gen run has held \(out.path)/.attn-gen.lock for 0.3 seconds; nothing was written")) {
                try OutputWriter.write(Self.pairs("new"), to: out, lockTimeout: .milliseconds(300))
            }
            #expect(listing(out) == [".attn-gen.lock"])
        }
        #expect(listing(out) == [])
    }

    @Test func aWriterWaitsForTheLock() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        let round = Round()
        try OutputWriter.withLock(in: out) {
            DispatchQueue.global().async {
                let status = runProcess(attnGenBinary, ["spec.json", "-o", "out"], in: dir).status
                round.statuses.withLock { $0.append(status) }
                round.done.store(true, ordering: .sequentiallyConsistent)
            }
            // A second is ample for the run to reach the lock; it must still be waiting.
            sleep(1)
            let waiting = !round.done.load(ordering: .sequentiallyConsistent)
            #expect(waiting)
            #expect(listing(out) == [".attn-gen.lock"])
        }
        while !round.done.load(ordering: .sequentiallyConsistent) { usleep(10_000) }
        #expect(round.statuses.withLock { $0 } == [0])
        #expect(listing(out) == ["blk.c", "blk.h"])
    }
}

/// What a background batch of runs reports to the test waiting on it.
private final class Round: Sendable {
    let done = Atomic<Bool>(false)
    let statuses = Mutex<[Int32]>([])
}
