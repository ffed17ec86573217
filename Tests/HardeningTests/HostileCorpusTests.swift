// The hostile-input corpus: Tests/Hostile/<area>/<case>.json, one bad input (or one hostile
// situation around a good one) per file, each with the exit status and error fragments it must
// give. Adding a case is adding a file; the format is in Tests/Hostile/README.md.
//
// Each case runs the built attn-gen in a fresh folder (`root/work`), so a write anywhere under
// `root`, inside or outside the working folder, shows up as a change in the listing.

import Foundation
import Testing

/// One corpus file, decoded.
struct HostileCase: CustomTestStringConvertible, Sendable {
    /// `area/name`, the file's path under Tests/Hostile without `.json`.
    let label: String
    let why: String
    let files: [String: [UInt8]]
    let setup: [SetupStep]
    let args: [String]
    let exit: Int32
    let error: [String]
    let stdout: [String]
    let expectFiles: Set<String>
    let timeout: Double

    var testDescription: String { label }

    enum SetupStep: Sendable {
        case mkdir(String)
        case symlink(String, to: String)
        case fifo(String)
        case write(String, [UInt8])
        case chmod(String, Int)
    }
}

enum HostileCorpus {
    static let root = Repo.root.appendingPathComponent("Tests/Hostile")

    /// Every case file, sorted. A file that does not decode is a test failure, not a skip.
    static let cases: [HostileCase] = {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: root.path) else { return [] }
        let paths = (walker.allObjects as? [String] ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return paths.map { path in
            let label = String(path.dropLast(".json".count))
            do {
                return try decode(label, Data(contentsOf: root.appendingPathComponent(path)))
            } catch {
                // Kept as a case that must fail, so a broken corpus file is reported, never dropped.
                return HostileCase(
                    label: label, why: "corpus file does not decode: \(error)", files: [:], setup: [], args: [],
                    exit: -999, error: [], stdout: [], expectFiles: [], timeout: 1)
            }
        }
    }()

    struct FormatError: Error, CustomStringConvertible {
        let description: String
    }

    static func decode(_ label: String, _ data: Data) throws -> HostileCase {
        guard let top = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw FormatError(description: "top level is not an object")
        }
        let known: Set<String> = ["why", "files", "setup", "args", "exit", "error", "stdout", "expect_files", "timeout"]
        if let extra = top.keys.first(where: { !known.contains($0) }) { throw FormatError(description: "unknown key \(extra)") }
        guard let why = top["why"] as? String, !why.isEmpty else { throw FormatError(description: "\"why\" is required") }
        var files: [String: [UInt8]] = [:]
        for (name, spec) in top["files"] as? [String: Any] ?? [:] {
            files[name] = try contents(spec, name)
        }
        var steps: [HostileCase.SetupStep] = []
        for item in top["setup"] as? [[String: Any]] ?? [] {
            if let p = item["mkdir"] as? String {
                steps.append(.mkdir(p))
            } else if let p = item["symlink"] as? String, let to = item["to"] as? String {
                steps.append(.symlink(p, to: to))
            } else if let p = item["fifo"] as? String {
                steps.append(.fifo(p))
            } else if let p = item["write"] as? String {
                steps.append(.write(p, try contents(item, p)))
            } else if let p = item["chmod"] as? String, let mode = item["mode"] as? String, let m = Int(mode, radix: 8) {
                steps.append(.chmod(p, m))
            } else {
                throw FormatError(description: "unknown setup step \(item)")
            }
        }
        let exit = Int32(top["exit"] as? Int ?? 1)
        let error = top["error"] as? [String] ?? []
        if exit != 0 && error.isEmpty { throw FormatError(description: "a refusal must list \"error\" fragments") }
        if exit == 0 && !error.isEmpty { throw FormatError(description: "an exit-0 case has no \"error\"") }
        return HostileCase(
            label: label, why: why, files: files, setup: steps,
            args: top["args"] as? [String] ?? ["spec.json", "-o", "out"], exit: exit, error: error,
            stdout: top["stdout"] as? [String] ?? [], expectFiles: Set(top["expect_files"] as? [String] ?? []),
            timeout: top["timeout"] as? Double ?? 30)
    }

    /// `{"json": value}`, `{"text": "..."}` or `{"base64": "..."}` (a `write` step uses the same keys).
    private static func contents(_ spec: Any, _ name: String) throws -> [UInt8] {
        guard let d = spec as? [String: Any] else { throw FormatError(description: "\(name): contents must be an object") }
        if let t = d["text"] as? String { return Array(t.utf8) }
        if let b = d["base64"] as? String {
            guard let data = Data(base64Encoded: b, options: .ignoreUnknownCharacters) else {
                throw FormatError(description: "\(name): bad base64")
            }
            return Array(data)
        }
        if let j = d["json"] {
            return Array(try JSONSerialization.data(withJSONObject: j, options: [.sortedKeys, .fragmentsAllowed]))
        }
        throw FormatError(description: "\(name): give json, text or base64")
    }

    /// `path → kind size [-> target]` for everything under `dir`, symlinks not followed.
    static func snapshot(_ dir: URL) -> [String: String] {
        var out: [String: String] = [:]
        var stack = [""]
        while let rel = stack.popLast() {
            let full = rel.isEmpty ? dir.path : dir.path + "/" + rel
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: full) else { continue }
            for name in names {
                let r = rel.isEmpty ? name : rel + "/" + name
                var st = stat()
                guard lstat(dir.path + "/" + r, &st) == 0 else { continue }
                switch st.st_mode & S_IFMT {
                case S_IFDIR:
                    out[r] = "dir"
                    stack.append(r)
                case S_IFLNK:
                    let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: dir.path + "/" + r)) ?? "?"
                    out[r] = "link -> \(target)"
                case S_IFREG:
                    let bytes = FileManager.default.contents(atPath: dir.path + "/" + r) ?? Data()
                    out[r] = "file \(bytes.count) \(bytes.hashValue)"
                default:
                    out[r] = "special \(st.st_mode & S_IFMT)"
                }
            }
        }
        return out
    }
}

@Suite("Hostile-input corpus")
struct HostileCorpusTests {
    @Test func theCorpusIsThere() {
        // Guards against a moved folder silently running zero cases.
        #expect(HostileCorpus.cases.count >= 20, "\(HostileCorpus.cases.count) cases under \(HostileCorpus.root.path)")
    }

    @Test(arguments: HostileCorpus.cases)
    func hostileCase(_ c: HostileCase) throws {
        #expect(c.exit != -999, "\(c.why)")
        guard c.exit != -999 else { return }
        let root = try makeTempDir("hostile")
        defer {
            _ = chmodTree(root)
            try? FileManager.default.removeItem(at: root)
        }
        let work = root.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        for (name, bytes) in c.files {
            let url = work.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        for step in c.setup {
            switch step {
            case .mkdir(let p):
                try FileManager.default.createDirectory(at: work.appendingPathComponent(p), withIntermediateDirectories: true)
            case .symlink(let p, let to):
                try FileManager.default.createSymbolicLink(atPath: work.appendingPathComponent(p).path, withDestinationPath: to)
            case .fifo(let p):
                #expect(mkfifo(work.appendingPathComponent(p).path, 0o644) == 0)
            case .write(let p, let bytes):
                try Data(bytes).write(to: work.appendingPathComponent(p))
            case .chmod(let p, let mode):
                #expect(chmod(work.appendingPathComponent(p).path, mode_t(mode)) == 0)
            }
        }
        let before = HostileCorpus.snapshot(root)
        let r = runProcess(attnGenBinary, c.args, in: work, timeout: c.timeout)
        #expect(!r.timedOut, "still running after \(c.timeout) s: \(c.why)")
        #expect(r.status == c.exit, "exit \(r.status), expected \(c.exit): \(r.stderr)")
        if c.exit != 0 {
            #expect(r.stdout.isEmpty, "stdout: \(r.stdout)")
            let lines = r.errorLines
            #expect(lines.count == 1, "stderr has \(lines.count) lines: \(r.stderr)")
            let line = lines.first ?? ""
            #expect(line.hasPrefix("error: "), "\(line)")
            for m in c.error {
                #expect(line.contains(m), "\(line.debugDescription) lacks \(m.debugDescription)")
            }
        }
        for m in c.stdout {
            #expect(r.stdout.contains(m), "stdout \(r.stdout.debugDescription) lacks \(m.debugDescription)")
        }
        let after = HostileCorpus.snapshot(root)
        // An expected file may bring its folders with it.
        var allowed: Set<String> = []
        for f in c.expectFiles {
            var parts = ("work/" + f).split(separator: "/").map(String.init)
            while !parts.isEmpty {
                allowed.insert(parts.joined(separator: "/"))
                parts.removeLast()
            }
        }
        let changed = Set(before.keys).union(after.keys).filter { before[$0] != after[$0] && !allowed.contains($0) }
        #expect(changed.isEmpty, "changed: \(changed.sorted().map { "\($0): \(before[$0] ?? "absent") → \(after[$0] ?? "absent")" })")
    }
}

/// Makes everything under `dir` writable again so a case that removed permissions can be cleaned up.
private func chmodTree(_ dir: URL) -> Bool {
    guard let walker = FileManager.default.enumerator(atPath: dir.path) else { return false }
    for case let rel as String in walker {
        var st = stat()
        let p = dir.path + "/" + rel
        if lstat(p, &st) == 0, st.st_mode & S_IFMT == S_IFDIR { chmod(p, 0o755) }
    }
    return true
}
