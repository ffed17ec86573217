// Generated/ holds example specs and their C. These tests fail when the C drifts from what the
// specs produce (fix: `swift run attn-gen regenerate`), run each example through the JIT against
// the interpreter, and compile it with gcc and clang at -std=c99 -Wall -Wextra -Werror.

import AttnGen
import AttnInterp
import AttnTemplates
import Foundation
import Testing

@Suite struct GeneratedTests {
    static let specs = Examples.specFiles(in: Paths.generated).map(\.lastPathComponent)

    @Test func examplesExist() {
        for kind in ["se_", "eca_", "cbam_"] { #expect(Self.specs.contains { $0.hasPrefix(kind) }, "no \(kind) example") }
    }

    @Test func noDrift() throws {
        let drifted = try Examples.drift(in: Paths.generated)
        #expect(drifted.isEmpty, "Generated/ is out of date: \(drifted); run `swift run attn-gen regenerate`")
        // Show what changed, file by file, as `diff -u` would (the first lines of each).
        let expected = Dictionary(try Examples.expectedFiles(in: Paths.generated).map { ($0.name, $0.contents) }) { a, _ in a }
        for name in drifted {
            let path = Paths.generated.appendingPathComponent(name).path
            let actual = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
            Issue.record("\(name) drifted:\n\(lineDiff(old: actual, new: expected[name] ?? "", label: name))")
        }
    }

    @Test func filesAreDeterministicAndPortable() throws {
        for file in try Examples.expectedFiles(in: Paths.generated) {
            #expect(file.contents.hasPrefix(generatedMarker), "\(file.name) lacks the DO NOT EDIT header")
            #expect(!file.contents.contains(Paths.root.path), "\(file.name) contains a local path")
            #expect(!file.contents.contains("malloc"), "\(file.name) allocates")
            // Static functions are fine; static data would be shared mutable state.
            let staticData = file.contents.split(separator: "\n").filter { $0.hasPrefix("static") && !$0.contains("(") }
            #expect(staticData.isEmpty, "\(file.name) has static data: \(staticData)")
        }
    }

    @Test(arguments: specs)
    func jitMatchesInterpreter(_ specName: String) throws {
        for spec in try Pipeline.loadSpecs(path: Paths.generated.appendingPathComponent(specName).path) {
            let result = try CrossCheck.run(spec, seed: 11)
            #expect(result.passed, "\(result)")
        }
    }

    @Test(arguments: ["gcc", "clang"])
    func compilesWarningFree(_ compiler: String) throws {
        guard let cc = which(compiler) else {
            Issue.record("\(compiler) not found on PATH")
            return
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-\(compiler)-\(getpid())")
        defer { try? FileManager.default.removeItem(at: out) }
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // The portable files and each target's (an MCU file is plain C99 that any compiler takes).
        for folder in [""] + Examples.targetFolders.map(\.folder) {
            let dir = Paths.generated.appendingPathComponent(folder)
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".c") }
            #expect(files.count == Self.specs.count || folder.isEmpty, "\(folder): \(files.count) files")
            for file in files {
                let (status, text) = run(cc, ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2", "-c",
                    dir.appendingPathComponent(file).path, "-o", out.appendingPathComponent("\(folder)-\(file).o").path])
                #expect(status == 0, "\(compiler) \(folder)/\(file): \(text)")
            }
        }
    }

    /// Each example's host file (what Generated/host holds), built with gcc at the strict flags,
    /// against the interpreter.
    @Test(arguments: specs)
    func hostFileMatchesInterpreter(_ specName: String) throws {
        let gcc = NativeCompiler(
            command: ["gcc"], flags: ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"], cacheDirectory: nil)
        for spec in try Pipeline.loadSpecs(path: Paths.generated.appendingPathComponent(specName).path) {
            let generated = try Pipeline.generate(spec, target: .host)
            #expect(!generated.source.source.contains("__TINYC__"), "\(spec.name): the host file holds tcc code")
            let params = generated.program.randomParams(seed: 5)
            let native = try NativeKernel(generated: generated, params: params, compiler: gcc, useCache: false)
            let input = generated.program.randomInput(seed: 6)
            let layout = spec.layout ?? .nchw
            let reference = try Interpreter.run(generated.program, input: input, params: params)
            let y = try layout.toNCHW(try native(try layout.fromNCHW(input, generated.program.input)), generated.program.outputShape)
            let comparison = try Comparison(y, reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(spec.name) host file: \(comparison)")
        }
    }

    /// What a target leaves out: no host vector code or tcc asm in an MCU file, no tcc asm or
    /// MCU-only branch in a host file, and no `(void)` reference to a helper anywhere.
    @Test func targetFilesHoldOnlyTheirCompilersCode() throws {
        for file in try Examples.expectedFiles(in: Paths.generated) where file.name.hasSuffix(".c") {
            #expect(!file.contents.contains("(void)attn_"), "\(file.name) silences a helper")
            if file.name.hasPrefix("mcu/") {
                for word in ["__TINYC__", "__x86_64__", "__aarch64__", "vector_size", "__asm__", "ATTN_LANES"] {
                    #expect(!file.contents.contains(word), "\(file.name) holds \(word)")
                }
            }
            if file.name.hasPrefix("host/") {
                for word in ["__TINYC__", "__asm__"] { #expect(!file.contents.contains(word), "\(file.name) holds \(word)") }
            }
        }
    }
}

func which(_ name: String) -> String? {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let path = "\(dir)/\(name)"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}

func run(_ tool: String, _ args: [String]) -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    let pipe = Pipe()
    p.standardError = pipe
    p.standardOutput = pipe
    do { try p.run() } catch { return (-1, "\(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The portable row helpers (what gcc, clang and MCUs compile) against double references over
/// row lengths 0...5000, through both the 32-lane host path and the 8-lane path.
@Suite struct RowHelperTests {
    @Test(arguments: [[String](), ["-DATTN_LANES=8"]])
    func portableHelpersAreExact(_ flags: [String]) throws {
        let gcc = try #require(which("gcc"), "gcc not found on PATH")
        let exe = FileManager.default.temporaryDirectory.appendingPathComponent("row-helpers-\(getpid())-\(flags.count)").path
        defer { try? FileManager.default.removeItem(atPath: exe) }
        let (built, log) = run(gcc, ["-O3", "-march=native"] + flags + [
            "-I", Paths.root.appendingPathComponent("Templates/c").path,
            Paths.root.appendingPathComponent("scripts/row_helpers_check.c").path, "-o", exe, "-lm"])
        #expect(built == 0, "\(log)")
        let (status, out) = run(exe, [])
        #expect(status == 0 && out.contains("bad=0"), "\(out)")
    }
}

/// A compact unified-style diff of two texts: `-` lines only in `old`, `+` lines only in `new`,
/// with two lines of context, at most `limit` lines. Longest common subsequence on lines, which
/// is quadratic but the golden files are a few thousand lines.
func lineDiff(old: String, new: String, label: String, limit: Int = 80) -> String {
    let a = old.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let b = new.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    // lcs[i][j] = LCS length of a[i...] and b[j...].
    var lcs = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in stride(from: a.count - 1, through: 0, by: -1) {
        for j in stride(from: b.count - 1, through: 0, by: -1) {
            lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : max(lcs[i + 1][j], lcs[i][j + 1])
        }
    }
    var ops: [(Character, String)] = []
    var i = 0, j = 0
    while i < a.count || j < b.count {
        if i < a.count, j < b.count, a[i] == b[j] {
            ops.append((" ", a[i])); i += 1; j += 1
        } else if j < b.count, i == a.count || lcs[i][j + 1] >= lcs[i + 1][j] {
            ops.append(("+", b[j])); j += 1
        } else {
            ops.append(("-", a[i])); i += 1
        }
    }
    let changed = ops.indices.filter { ops[$0].0 != " " }
    let shown = Set(changed.flatMap { max(0, $0 - 2)...min(ops.count - 1, $0 + 2) })
    var out = ["--- Generated/\(label) (committed)", "+++ Generated/\(label) (what the spec gives now)"]
    var last = -2
    for k in shown.sorted() {
        if k != last + 1 { out.append("@@ line \(k + 1) @@") }
        out.append("\(ops[k].0)\(ops[k].1)")
        last = k
        if out.count >= limit {
            out.append("... (\(changed.count) changed lines in all)")
            break
        }
    }
    return out.joined(separator: "\n")
}
