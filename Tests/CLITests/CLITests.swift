// The attn-gen executable, run as a user runs it: exit status, stdout, stderr and the files it
// leaves behind. The binary is the one SwiftPM built next to this test bundle.

import Foundation
import Testing

/// The package root, from this file's path (Tests/CLITests/CLITests.swift).
private let repoRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The folder SwiftPM puts products in, as swift-argument-parser's test helpers find it: the
/// .xctest bundle's folder on Darwin, `Bundle.main.bundleURL` elsewhere. A scratch-path build
/// from the repository root is the fallback.
private let productsDirectory: URL? = {
    var candidates: [URL] = []
    #if os(macOS)
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        candidates.append(bundle.bundleURL.deletingLastPathComponent())
    }
    #endif
    candidates += [
        Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        repoRoot.appendingPathComponent(".build-tests/debug"), repoRoot.appendingPathComponent(".build/debug"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.appendingPathComponent("attn-gen").path) }
}()

private struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs `attn-gen arguments...` from `directory` (default: the repository root).
private func attnGen(_ arguments: [String], in directory: URL = repoRoot) throws -> RunResult {
    let binary = try #require(productsDirectory, "attn-gen not found next to the tests").appendingPathComponent("attn-gen")
    // Output goes to files, not pipes: a full pipe would block the child before it exits.
    let capture = try makeTempDir()
    defer { try? FileManager.default.removeItem(at: capture) }
    let out = capture.appendingPathComponent("stdout")
    let err = capture.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: out)
    let errHandle = try FileHandle(forWritingTo: err)
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env["ATTN_DEBUG"] = nil
    process.environment = env
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    return RunResult(
        status: process.terminationStatus,
        stdout: try String(contentsOf: out, encoding: .utf8),
        stderr: try String(contentsOf: err, encoding: .utf8))
}

private func makeTempDir() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("attn-cli-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Every entry of a folder, hidden ones included, sorted; empty when the folder does not exist.
private func entries(_ dir: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
}

private func contents(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

private let generatedDir = repoRoot.appendingPathComponent("Generated")

/// The example names in Generated/ (`se_resnet50_layer1`, ...).
private let exampleNames: [String] = entries(generatedDir).filter { $0.hasSuffix(".spec.json") }
    .map { String($0.dropLast(".spec.json".count)) }

/// A two-block spec whose second block is `second` (a JSON object), first block valid.
private func twoBlockSpec(second: String) -> String {
    """
    {"blocks": [
      {"name": "first_ok", "kind": "se", "input": {"c": 64, "h": 4, "w": 4}},
      \(second)
    ]}
    """
}

@Suite("attn-gen CLI")
struct CLITests {
    @Test func theBinaryIsFound() {
        #expect(productsDirectory != nil)
        #expect(exampleNames.contains("se_resnet50_layer1"))
    }

    // MARK: generate (the default subcommand)

    @Test(arguments: exampleNames)
    func generateWritesExactlyTheExampleFiles(name: String) throws {
        let out = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try attnGen(["Generated/\(name).spec.json", "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty)
        #expect(entries(out) == ["\(name).c", "\(name).h"])
        for file in ["\(name).h", "\(name).c"] {
            #expect(try contents(out.appendingPathComponent(file)) == contents(generatedDir.appendingPathComponent(file)),
                    "\(file) differs from Generated/")
        }
        #expect(r.stdout.split(separator: "\n").map(String.init)
            == ["\(name).h", "\(name).c"].map { out.appendingPathComponent($0).path })
    }

    @Test func generateIntoAFolderItCreates() throws {
        let parent = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: parent) }
        let out = parent.appendingPathComponent("new/nested")
        let r = try attnGen(["Generated/se_resnet50_layer1.spec.json", "--output", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(entries(out) == ["se_resnet50_layer1.c", "se_resnet50_layer1.h"])
    }

    @Test func generateAgainOverItsOwnFilesSucceeds() throws {
        let out = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        for _ in 0..<2 {
            let r = try attnGen(["Generated/max_eca_custom.spec.json", "-o", out.path])
            #expect(r.status == 0, "\(r.stderr)")
        }
        #expect(entries(out) == ["max_eca_custom.c", "max_eca_custom.h"])
    }

    @Test func generateWithTheExplicitSubcommand() throws {
        let out = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let implicit = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: implicit) }
        let r = try attnGen(["generate", "Generated/eca_resnet50_layer2.spec.json", "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try attnGen(["Generated/eca_resnet50_layer2.spec.json", "-o", implicit.path]).status == 0)
        for file in ["eca_resnet50_layer2.h", "eca_resnet50_layer2.c"] {
            #expect(try contents(out.appendingPathComponent(file)) == contents(implicit.appendingPathComponent(file)))
        }
    }

    /// `--shared-helpers`: one support pair beside the blocks of a file, named after the file,
    /// which must then be a C identifier; a single block keeps its two self-contained files.
    @Test func sharedHelpersWriteOneSupportPair() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("two.json")
        try twoBlockSpec(second: #"{"name": "second_ok", "kind": "eca", "input": {"c": 32, "h": 4, "w": 4}}"#)
            .write(to: spec, atomically: true, encoding: .utf8)
        let r = try attnGen([spec.path, "--shared-helpers"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(entries(dir) == ["first_ok.c", "first_ok.h", "second_ok.c", "second_ok.h", "two.json", "two_support.c", "two_support.h"])
        #expect(try contents(dir.appendingPathComponent("first_ok.c")).contains("#include \"two_support.h\""))

        let bad = dir.appendingPathComponent("two-blocks.json")
        try FileManager.default.copyItem(at: spec, to: bad)
        let refused = try attnGen([bad.path, "--shared-helpers", "-o", dir.appendingPathComponent("out").path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("--shared-helpers") && refused.stderr.contains("C identifier"), "\(refused.stderr)")

        let single = dir.appendingPathComponent("single")
        let one = try attnGen([generatedDir.appendingPathComponent("se_resnet50_layer1.spec.json").path, "--shared-helpers", "-o", single.path])
        #expect(one.status == 0, "\(one.stderr)")
        #expect(entries(single) == ["se_resnet50_layer1.c", "se_resnet50_layer1.h"])
    }

    /// An unknown `--target` is refused with the choices.
    @Test func targetIsValidated() throws {
        let r = try attnGen([generatedDir.appendingPathComponent("se_resnet50_layer1.spec.json").path, "--target", "avr", "-o", try makeTempDir().path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("portable") && r.stderr.contains("host") && r.stderr.contains("mcu"), "\(r.stderr)")
    }

    @Test func aMultiBlockSpecWritesOnePairPerBlock() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("two.json")
        try twoBlockSpec(second: #"{"name": "second_ok", "kind": "eca", "input": {"c": 32, "h": 4, "w": 4}}"#)
            .write(to: spec, atomically: true, encoding: .utf8)
        let r = try attnGen([spec.path])  // default output: the spec's folder
        #expect(r.status == 0, "\(r.stderr)")
        #expect(entries(dir) == ["first_ok.c", "first_ok.h", "second_ok.c", "second_ok.h", "two.json"])
    }

    // MARK: several spec files in one call

    @Test func severalSpecsWriteEachBesideItselfOrIntoOneFolder() throws {
        let a = try makeTempDir()
        let b = try makeTempDir()
        let out = try makeTempDir()
        defer { for d in [a, b, out] { try? FileManager.default.removeItem(at: d) } }
        try #"{"name": "from_a", "kind": "se", "input": {"c": 64, "h": 4, "w": 4}}"#
            .write(to: a.appendingPathComponent("a.json"), atomically: true, encoding: .utf8)
        try twoBlockSpec(second: #"{"name": "from_b", "kind": "eca", "input": {"c": 32, "h": 4, "w": 4}}"#)
            .write(to: b.appendingPathComponent("b.json"), atomically: true, encoding: .utf8)
        let beside = try attnGen([a.appendingPathComponent("a.json").path, b.appendingPathComponent("b.json").path])
        #expect(beside.status == 0, "\(beside.stderr)")
        #expect(entries(a) == ["a.json", "from_a.c", "from_a.h"])
        #expect(entries(b) == ["b.json", "first_ok.c", "first_ok.h", "from_b.c", "from_b.h"])
        #expect(beside.stdout.split(separator: "\n").count == 6)
        let together = try attnGen([a.appendingPathComponent("a.json").path, b.appendingPathComponent("b.json").path, "-o", out.path])
        #expect(together.status == 0, "\(together.stderr)")
        #expect(entries(out) == ["first_ok.c", "first_ok.h", "from_a.c", "from_a.h", "from_b.c", "from_b.h"])
        // The same output again: the C is identical to what one spec at a time gives.
        let single = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: single) }
        #expect(try attnGen([a.appendingPathComponent("a.json").path, "-o", single.path]).status == 0)
        #expect(try contents(single.appendingPathComponent("from_a.c")) == contents(out.appendingPathComponent("from_a.c")))
    }

    @Test func anErrorInTheSecondSpecNamesItsFileAndWritesNothing() throws {
        let dir = try makeTempDir()
        let out = try makeTempDir()
        defer { for d in [dir, out] { try? FileManager.default.removeItem(at: d) } }
        try #"{"name": "good", "kind": "se", "input": {"c": 64, "h": 4, "w": 4}}"#
            .write(to: dir.appendingPathComponent("good.json"), atomically: true, encoding: .utf8)
        try twoBlockSpec(second: #"{"name": "second_bad", "kind": "se", "input": {"c": 64, "h": 4, "w": 4}, "reduction": 0}"#)
            .write(to: dir.appendingPathComponent("bad.json"), atomically: true, encoding: .utf8)
        let r = try attnGen([dir.appendingPathComponent("good.json").path, dir.appendingPathComponent("bad.json").path, "-o", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("bad.json: blocks[1].reduction: must be at least 1, got 0"), "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(entries(out) == [])
    }

    @Test func specsWhoseBlocksMeetInOneFolderAreRefused() throws {
        let dir = try makeTempDir()
        let out = try makeTempDir()
        defer { for d in [dir, out] { try? FileManager.default.removeItem(at: d) } }
        try #"{"name": "same", "kind": "se", "input": {"c": 64, "h": 4, "w": 4}}"#
            .write(to: dir.appendingPathComponent("one.json"), atomically: true, encoding: .utf8)
        try #"{"name": "Same", "kind": "eca", "input": {"c": 32, "h": 4, "w": 4}}"#
            .write(to: dir.appendingPathComponent("two.json"), atomically: true, encoding: .utf8)
        let r = try attnGen([dir.appendingPathComponent("one.json").path, dir.appendingPathComponent("two.json").path, "-o", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("two.json: name: \"Same\" collides with one.json \"same\""), "stderr: \(r.stderr)")
        #expect(entries(out) == [])
        // Beside specs in one folder they meet too; in separate folders they do not.
        let beside = try attnGen([dir.appendingPathComponent("one.json").path, dir.appendingPathComponent("two.json").path])
        #expect(beside.status != 0 && beside.stderr.contains("collides"), "\(beside.stderr)")
        let other = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: other) }
        try FileManager.default.moveItem(at: dir.appendingPathComponent("two.json"), to: other.appendingPathComponent("two.json"))
        let apart = try attnGen([dir.appendingPathComponent("one.json").path, other.appendingPathComponent("two.json").path])
        #expect(apart.status == 0, "\(apart.stderr)")
    }

    @Test func aTorchCheckpointGivesTheSameCAsItsSafetensors() throws {
        let st = try makeTempDir()
        let pth = try makeTempDir()
        defer { for d in [st, pth] { try? FileManager.default.removeItem(at: d) } }
        let spec = "Tests/Fixtures/se_timm_c64/spec.json"
        #expect(try attnGen([spec, "-o", st.path]).status == 0)
        let r = try attnGen([spec, "--weights", "Tests/Fixtures/pth/se_timm_c64.pth", "-o", pth.path])
        #expect(r.status == 0, "\(r.stderr)")
        let fromPth = try contents(pth.appendingPathComponent("se_timm_c64.c"))
        let fromSt = try contents(st.appendingPathComponent("se_timm_c64.c"))
        let table = { (c: String) in c.components(separatedBy: "_params[SE_TIMM_C64_PARAMS_SIZE] = ").last ?? "" }
        #expect(!table(fromSt).isEmpty && table(fromPth) == table(fromSt))
    }

    // MARK: errors leave nothing behind

    /// A semantic error in blocks[1]: the path must still say which block.
    @Test func aBadSecondBlockNamesItsPathAndWritesNothing() throws {
        let specDir = try makeTempDir()
        let out = try makeTempDir()
        defer {
            try? FileManager.default.removeItem(at: specDir)
            try? FileManager.default.removeItem(at: out)
        }
        let spec = specDir.appendingPathComponent("bad.json")
        try twoBlockSpec(second: #"{"name": "second_bad", "kind": "se", "input": {"c": 64, "h": 4, "w": 4}, "reduction": 0}"#)
            .write(to: spec, atomically: true, encoding: .utf8)
        let r = try attnGen([spec.path, "-o", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("blocks[1].reduction: must be at least 1, got 0"), "stderr: \(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(entries(out) == [], "no partial files, no temp files")
        #expect(entries(specDir) == ["bad.json"])
    }

    /// A decode-time error in blocks[1] (wrong JSON type).
    @Test func aMistypedSecondBlockNamesItsPathAndWritesNothing() throws {
        let specDir = try makeTempDir()
        let out = try makeTempDir()
        defer {
            try? FileManager.default.removeItem(at: specDir)
            try? FileManager.default.removeItem(at: out)
        }
        let spec = specDir.appendingPathComponent("bad.json")
        try twoBlockSpec(second: #"{"name": "second_bad", "kind": "se", "input": {"c": 64, "h": 4, "w": 4}, "reduction": "16"}"#)
            .write(to: spec, atomically: true, encoding: .utf8)
        let r = try attnGen([spec.path, "-o", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("blocks[1].reduction: must be an integer"), "stderr: \(r.stderr)")
        #expect(entries(out) == [])
    }

    @Test func aMissingSpecFileIsAnError() throws {
        let out = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try attnGen(["no/such/spec.json", "-o", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("cannot read spec file no/such/spec.json"))
        #expect(entries(out) == [])
    }

    @Test func aMissingWeightsFileIsAnError() throws {
        let out = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try attnGen(["Generated/se_resnet50_layer1.spec.json", "--weights", "no_such.safetensors", "-o", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("weights: "), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("no_such.safetensors"))
        #expect(entries(out) == [])
    }

    @Test func aHandWrittenFileIsNeverOverwritten() throws {
        let out = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let mine = out.appendingPathComponent("se_resnet50_layer1.c")
        let text = "/* my own kernel */\nint se_resnet50_layer1_forward(void) { return 0; }\n"
        try text.write(to: mine, atomically: true, encoding: .utf8)
        let r = try attnGen(["Generated/se_resnet50_layer1.spec.json", "-o", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("refusing to overwrite"), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("se_resnet50_layer1.c"))
        #expect(try contents(mine) == text)
        // Nothing else was written either: the .h beside it would belong to a kernel that was not.
        #expect(entries(out) == ["se_resnet50_layer1.c"])
    }

    // MARK: weights

    @Test func weightsAreBakedIntoTheSource() throws {
        let out = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try attnGen([
            "Generated/se_resnet50_layer1.spec.json", "--weights", "Tests/Fixtures/se_timm_c256/weights.safetensors",
            "-o", out.path,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let c = try contents(out.appendingPathComponent("se_resnet50_layer1.c"))
        let h = try contents(out.appendingPathComponent("se_resnet50_layer1.h"))
        #expect(c.contains("const float se_resnet50_layer1_params[SE_RESNET50_LAYER1_PARAMS_SIZE]"))
        #expect(h.contains("extern const float se_resnet50_layer1_params["))
        // Without weights there is no array.
        #expect(try !contents(generatedDir.appendingPathComponent("se_resnet50_layer1.c")).contains("_params["))
    }

    @Test func specWeightsResolveAgainstTheSpecFolder() throws {
        let out = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let r = try attnGen(["Tests/Fixtures/se_prefix/spec.json", "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try contents(out.appendingPathComponent("se_prefix.c")).contains("const float se_prefix_params["))
    }

    @Test func weightsPrefixOption() throws {
        let out = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        // The spec has its own prefix: the command line's may only fill a block without one.
        let r = try attnGen(["Tests/Fixtures/se_prefix/spec.json", "--weights-prefix", "layer7.", "-o", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("weights_prefix: is \"layer3.0.se.\" but --weights-prefix is \"layer7.\""), "stderr: \(r.stderr)")
        #expect(entries(out) == [])
    }

    // MARK: verify

    @Test(arguments: exampleNames)
    func verifyPassesOnTheExamples(name: String) throws {
        let r = try attnGen(["verify", "Generated/\(name).spec.json"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("ok"), "\(r.stdout)")
        #expect(r.stdout.contains(name))
    }

    /// `verify --against`: an attn-gen-torch export (seven blocks, the SiLU SE and timm's
    /// GlobalContext among them) checked against PyTorch's golden pairs.
    @Test func verifyAgainstPyTorchGoldenPairs() throws {
        let r = try attnGen(["verify", "Tests/Exports/mixed/spec.json", "--against", "Tests/Exports/mixed/golden"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 7 && lines.allSatisfy { $0.hasPrefix("ok") && $0.contains("vs PyTorch: jit") && $0.contains("gcc") })
    }

    @Test func verifyAgainstAFolderWithoutThePairIsAnError() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try attnGen(["verify", "Tests/Exports/mixed/spec.json", "--against", dir.path])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("blocks[0].name: block \"sk\" has no golden pair"), "stderr: \(r.stderr)")
    }

    @Test func verifyReportsASpecError() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("bad.json")
        try #"{"name": "int", "kind": "se", "input": {"c": 64, "h": 4, "w": 4}}"#.write(to: spec, atomically: true, encoding: .utf8)
        let r = try attnGen(["verify", spec.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("name: \"int\" is not a C identifier"), "stderr: \(r.stderr)")
    }

    @Test func verifyNamesTheBadBlockOfAList() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("bad.json")
        try twoBlockSpec(second: #"{"name": "second_bad", "kind": "eca", "input": {"c": 64, "h": 4, "w": 4}, "kernel_size": 4}"#)
            .write(to: spec, atomically: true, encoding: .utf8)
        let r = try attnGen(["verify", spec.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("blocks[1].kernel_size: must be a positive odd number, got 4"), "stderr: \(r.stderr)")
    }

    // MARK: check

    @Test func checkPassesInTheRepository() throws {
        let r = try attnGen(["check"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Generated is up to date"))
    }

    @Test func checkPassesRightAfterRegenerate() throws {
        let copy = try copyOfGenerated()
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        let r = try attnGen(["check", "--dir", copy.path])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func checkFailsOnAnEditedCopyAndSaysHowToFixIt() throws {
        let copy = try copyOfGenerated()
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        let edited = copy.appendingPathComponent("eca_resnet50_layer2.c")
        try (contents(edited) + "/* hand edit */\n").write(to: edited, atomically: true, encoding: .utf8)
        let r = try attnGen(["check", "--dir", copy.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("eca_resnet50_layer2.c"), "stderr: \(r.stderr)")
        #expect(r.stderr.contains("swift run attn-gen regenerate --dir \(copy.path)"), "stderr: \(r.stderr)")
        #expect(!r.stderr.contains("se_resnet50_layer1"), "only the edited file is reported")
    }

    @Test func checkFailsWhenAFileIsMissing() throws {
        let copy = try copyOfGenerated()
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        try FileManager.default.removeItem(at: copy.appendingPathComponent("max_eca_custom.h"))
        let r = try attnGen(["check", "--dir", copy.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("max_eca_custom.h"), "stderr: \(r.stderr)")
    }

    @Test func regenerateRepairsAnEditedCopy() throws {
        let copy = try copyOfGenerated()
        defer { try? FileManager.default.removeItem(at: copy.deletingLastPathComponent()) }
        let edited = copy.appendingPathComponent("cbam_resnet50_layer3.c")
        let original = try contents(edited)
        try (original + "/* hand edit */\n").write(to: edited, atomically: true, encoding: .utf8)
        #expect(try attnGen(["check", "--dir", copy.path]).status != 0)
        let regen = try attnGen(["regenerate", "--dir", copy.path])
        #expect(regen.status == 0, "\(regen.stderr)")
        #expect(try contents(edited) == original)
        #expect(try attnGen(["check", "--dir", copy.path]).status == 0)
        // No temporary files are left beside the examples.
        #expect(entries(copy).allSatisfy { !$0.hasPrefix(".") })
    }

    /// Copies Generated/ into a fresh temporary folder, brings the copy up to date with
    /// `regenerate` (so these tests judge `check`, not the state of the repository, which
    /// `checkPassesInTheRepository` judges) and returns it.
    private func copyOfGenerated() throws -> URL {
        let parent = try makeTempDir()
        let copy = parent.appendingPathComponent("Generated", isDirectory: true)
        try FileManager.default.copyItem(at: generatedDir, to: copy)
        let r = try attnGen(["regenerate", "--dir", copy.path])
        #expect(r.status == 0, "\(r.stderr)")
        // .h and .c per example, portable and under host/ and mcu/.
        #expect(r.stdout.contains("regenerated \(3 * 2 * exampleNames.count) files"))
        return copy
    }
}

/// `attn-gen list` and `attn-gen explain`.
@Suite struct CatalogCLITests {
    /// The kinds the binary decodes, as its unknown-kind error lists them: the catalog registry,
    /// reached by another path than `list`.
    private func knownKinds() throws -> [String] {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("unknown.json")
        try #"{"name": "b", "kind": "no_such_kind", "input": {"c": 8, "h": 4, "w": 4}}"#.write(to: spec, atomically: true, encoding: .utf8)
        let r = try attnGen(["verify", spec.path])
        guard let start = r.stderr.range(of: "(known: "), let end = r.stderr[start.upperBound...].firstIndex(of: ")") else {
            Issue.record("no known kinds in: \(r.stderr)")
            return []
        }
        return r.stderr[start.upperBound..<end].components(separatedBy: ", ")
    }

    @Test func listShowsEveryKindWithItsCosts() throws {
        // 56×56: bat's default 7×7 bilinear transforms and halo's default 8×8 blocks must tile
        // the plane (timm asserts both).
        let r = try attnGen(["list", "--input", "2,64,56,56"])
        #expect(r.status == 0, "\(r.stderr)")
        let kinds = try knownKinds()
        #expect(kinds.count >= 16 && kinds.contains("se"), "\(kinds)")
        for kind in kinds {
            #expect(r.stdout.contains("\n\(kind)  — "), "list lacks \(kind)")
        }
        // Every kind lowers with its defaults at this shape: a params/FLOPs/scratch line each.
        #expect(r.stdout.components(separatedBy: "    params ").count - 1 == kinds.count, "\(r.stdout)")
        #expect(!r.stdout.contains("not at this shape"))
        #expect(r.stdout.contains("num_heads=8"))
        #expect(r.stdout.contains("graph ops (for blocks of your own): ") && r.stdout.contains(", hard_swish, gelu, tanh, leaky_relu, "))
    }

    @Test func listRefusesABadShape() throws {
        let r = try attnGen(["list", "--input", "1,64,0"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--input"))
    }

    @Test func explainPrintsEveryValueAndWritesDot() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("pam.json")
        try #"{"name": "pam", "kind": "danet_pam", "input": {"c": 32, "h": 8, "w": 8}}"#.write(to: spec, atomically: true, encoding: .utf8)
        let dot = dir.appendingPathComponent("pam.dot")
        let r = try attnGen(["explain", spec.path, "--dot", dot.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("attention(scale=1.0)"))
        #expect(r.stdout.contains("working scratch["))
        #expect(r.stdout.contains("total: "))
        let graph = try contents(dot)
        #expect(graph.hasPrefix("/* DO NOT EDIT. Generated by attn-gen"))
        #expect(graph.contains("\ndigraph \"pam\" {"))
        #expect(graph.contains("v0 -> v1"))
        // q, k (4×64 each), v and the attention's output (32×64 each) and the scores of one
        // block of 8 queries (8×64), then the host GEMM form's block of 16 (16×64) after them:
        // the 64×64 score matrix is never stored.
        let scratch = try #require(r.stdout.split(separator: "\n").last { $0.hasPrefix("total: ") })
        #expect(scratch.contains("scratch 6144 floats"), "\(scratch)")
    }

    @Test func explainOfABadSpecNamesTheFieldAndWritesNothing() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let spec = dir.appendingPathComponent("bad.json")
        try #"{"name": "b", "kind": "emsa", "input": {"c": 30, "h": 8, "w": 8}, "num_heads": 4}"#.write(to: spec, atomically: true, encoding: .utf8)
        let dot = dir.appendingPathComponent("bad.dot")
        let r = try attnGen(["explain", spec.path, "--dot", dot.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("num_heads"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dot.path))
    }
}

/// `attn-gen import-tflite`: the files and manifest it writes, a second run over its own files,
/// and a refusal that writes nothing.
@Suite struct ImportTFLiteCLITests {
    @Test func writesKernelsAndManifestAndReplacesItsOwnFiles() throws {
        let out = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: out) }
        let model = "Tests/TFLiteFixtures/two_se_c16_4x4.tflite"
        let r = try attnGen(["import-tflite", model, "-o", out.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("se0: se, operators [0, 1, 2, 3, 4], tensor 0 -> 10"), "\(r.stdout)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(names == ["manifest.json", "se0.c", "se0.h", "se_hard_sigmoid1.c", "se_hard_sigmoid1.h"])
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as? [String: Any]
        let kernels = try #require(manifest?["kernels"] as? [[String: Any]])
        #expect(kernels.map { $0["kind"] as? String } == ["se", "se_hard_sigmoid"])
        #expect(kernels.map { $0["input_tensor"] as? Int } == [0, 10])
        #expect(kernels.map { $0["output_tensor"] as? Int } == [10, 21])
        #expect(kernels[1]["operators"] as? [Int] == [5, 6, 7, 8, 9])
        #expect((manifest?["unrecognised"] as? [Any])?.isEmpty == true)
        let again = try attnGen(["import-tflite", model, "-o", out.path])
        #expect(again.status == 0, "\(again.stderr)")
    }

    /// `size` on a .tflite: each int8 kernel's RAM and flash, and a budget overrun that fails.
    @Test func sizeReportsInt8KernelsAndTheirBudgets() throws {
        let model = "Tests/TFLiteFixtures/cbam_c16_6x6.tflite"
        let r = try attnGen(["size", model])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("cbam0  int8 cbam [1, 6, 6, 16]"), "\(r.stdout)")
        // 576 int8 elements in place + the kernel's 280 B of scratch (the map as int16 pairs) + the 160 B stack bound.
        #expect(r.stdout.contains("RAM           1,016 B"), "\(r.stdout)")
        #expect(r.stdout.contains("= one tensor 576 (output aliases input) + scratch 280 + stack ≤ 160"), "\(r.stdout)")
        #expect(r.stdout.contains("= constants 1,356 + code ~"), "\(r.stdout)")
        let over = try attnGen(["size", model, "--max-ram", "900"])
        #expect(over.status == 1)
        #expect(over.stderr.contains("cbam0: RAM 1,016 B is over --max-ram 900 B by 116 B"), "\(over.stderr)")
    }

    @Test func aFileThatIsNotAModelIsRefusedAndNothingIsWritten() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.tflite")
        try Data("not a flatbuffer".utf8).write(to: bad)
        let out = dir.appendingPathComponent("out")
        let r = try attnGen(["import-tflite", bad.path, "-o", out.path])
        #expect(r.status != 0)
        #expect(r.stderr.contains("not a TensorFlow Lite model"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }
}
