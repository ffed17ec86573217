// Committed attn-gen-torch exports of small networks (Tests/Exports/<net>/, made by
// scripts/make_exports.py): every exported block, generated from spec.json and the export's
// weights, reproduces PyTorch's golden output on the JIT and the gcc tier; the manifest, spec and
// golden files agree; and a golden pair that is missing or of another shape is a clear error.

import AttnGen
import Foundation
import Testing

private let exports = Paths.root.appendingPathComponent("Tests/Exports")

private func exportNames() -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: exports.path)) ?? []).filter {
        FileManager.default.fileExists(atPath: exports.appendingPathComponent("\($0)/spec.json").path)
    }.sorted()
}

private func json(_ url: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
}

@Suite struct TorchExportTests {
    @Test func theExportsAreThere() {
        let names = exportNames()
        for net in [
            "seresnet18", "legacy_seresnet18", "ecaresnet26t", "resnet18_cbam", "regnety_002", "mobilenetv3_large_100",
            "efficientnet_b0", "resnest14d", "gcresnet33ts", "skresnet18", "mixed", "zoo", "zoo_official",
        ] {
            #expect(names.contains(net), "Tests/Exports/\(net) is missing: run scripts/make_exports.py")
        }
        for net in names {
            let pth = exports.appendingPathComponent("\(net)/weights.pth").path
            #expect(FileManager.default.fileExists(atPath: pth), "Tests/Exports/\(net) has no weights.pth: run scripts/make_exports.py")
        }
    }

    /// The .pth path: every block generated from the export's torch.save checkpoint gives the
    /// same C, baked parameters included, as from its safetensors file, and reproduces PyTorch.
    @Test(arguments: exportNames())
    func thePthGivesTheSameC(_ net: String) throws {
        let dir = exports.appendingPathComponent(net)
        let files = WeightsFileCache()
        for (_, spec) in try Pipeline.loadBlocks(path: dir.appendingPathComponent("spec.json").path) {
            guard spec.weights != nil else { continue }
            var fromPth = spec
            fromPth.weights = "weights.pth"
            // Equal parameters and equal C without the table make equal files with it (the table
            // prints the parameters); printing a network's millions of weights twice would not add to that.
            let a = try Pipeline.generate(spec, baseDirectory: dir, files: files, weightTable: false)
            let b = try Pipeline.generate(fromPth, baseDirectory: dir, files: files, weightTable: false)
            #expect(a.params == b.params, "\(net) \(spec.name): the .pth gives other parameters")
            // The header echoes the spec, whose weights file is the one difference allowed.
            let echoed = b.source.files.map {
                $0.contents.replacingOccurrences(of: #""weights": "weights.pth""#, with: #""weights": "weights.safetensors""#)
            }
            let same = a.source.files.map(\.contents) == echoed
            #expect(same, "\(net) \(spec.name): the .pth gives other C")
            let result = try GoldenCheck.run(fromPth, golden: dir.appendingPathComponent("golden"), baseDirectory: dir)
            #expect(result.passed, "\(net) from weights.pth: \(result)")
        }
    }

    /// generate + verify --against, per network: every block within its kind's tolerance.
    @Test(arguments: exportNames())
    func reproducesPyTorch(_ net: String) throws {
        let dir = exports.appendingPathComponent(net)
        let blocks = try Pipeline.loadBlocks(path: dir.appendingPathComponent("spec.json").path)
        #expect(!blocks.isEmpty)
        for (_, spec) in blocks {
            let result = try GoldenCheck.run(spec, golden: dir.appendingPathComponent("golden"), baseDirectory: dir)
            print("export \(net): \(result)")
            #expect(result.passed, "\(net): \(result)")
        }
    }

    /// The manifest lists the spec's blocks in order, with their shapes; every golden file
    /// belongs to one block.
    @Test(arguments: exportNames())
    func manifestMatchesSpec(_ net: String) throws {
        let dir = exports.appendingPathComponent(net)
        let specs = try Pipeline.loadSpecs(path: dir.appendingPathComponent("spec.json").path)
        let manifest = try json(dir.appendingPathComponent("manifest.json"))
        let listed = try #require(manifest["blocks"] as? [[String: Any]])
        #expect(listed.map { $0["name"] as? String } == specs.map { $0.name })
        #expect(listed.map { $0["kind"] as? String } == specs.map { $0.kind })
        for (entry, spec) in zip(listed, specs) {
            #expect(entry["input_shape"] as? [Int] == [spec.input.n, spec.input.c, spec.input.h, spec.input.w])
            #expect(entry["module"] is String)
        }
        #expect(manifest["skipped"] is [[String: Any]])
        let golden = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("golden").path).sorted()
        #expect(golden == specs.map { "\($0.name).safetensors" }.sorted())
    }

    /// The mixed model's manifest says what was left out and why.
    @Test func skippedModulesCarryTheirReason() throws {
        let manifest = try json(exports.appendingPathComponent("mixed/manifest.json"))
        let skipped = try #require(manifest["skipped"] as? [[String: String]])
        let reasons = Dictionary(uniqueKeysWithValues: skipped.map { ($0["module"] ?? "", $0["reason"] ?? "") })
        // timm's GlobalContext is exported as the gc kind now.
        #expect(reasons["gc"] == nil)
        // timm's EfficientNet SE with a SiLU act: the se kind's act_layer expresses it now.
        #expect(reasons["silu_se"] == nil)
        let spec = try json(exports.appendingPathComponent("mixed/spec.json"))
        let blocks = try #require(spec["blocks"] as? [[String: Any]])
        #expect(blocks.contains { $0["name"] as? String == "silu_se" && $0["act_layer"] as? String == "silu" })
        #expect(blocks.contains { $0["name"] as? String == "gc" && $0["kind"] as? String == "gc" && $0["fuse_scale"] as? Bool == true })
        #expect(reasons["unused"]?.contains("not called") == true)
    }

    /// Every kind the exporter may write is one attn-gen knows.
    @Test func exporterKindsAreCatalogKinds() throws {
        let file = try json(Paths.root.appendingPathComponent("python/attn_gen_torch/kinds.json"))
        let kinds = try #require(file["kinds"] as? [String])
        for kind in kinds { #expect(BlockSpec.kinds.contains(kind), "python kinds.json lists \(kind), not in the catalog") }
    }

    @Test func aMissingGoldenPairIsAnError() throws {
        let dir = exports.appendingPathComponent("mixed")
        let spec = try Pipeline.loadSpecs(path: dir.appendingPathComponent("spec.json").path)[1]
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("golden-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        #expect {
            _ = try GoldenCheck.run(spec, golden: empty, baseDirectory: dir)
        } throws: { "\($0)".contains("has no golden pair") && "\($0)".contains("\(spec.name).safetensors") }
    }

    @Test func aGoldenPairOfAnotherShapeIsAnError() throws {
        let dir = exports.appendingPathComponent("mixed")
        var spec = try Pipeline.loadSpecs(path: dir.appendingPathComponent("spec.json").path)[1]
        // The same block on a smaller plane: its weights fit, PyTorch's pair does not.
        spec.input = .nchw(spec.input.n, spec.input.c, 8, 8)
        spec.output = nil
        #expect {
            _ = try GoldenCheck.run(spec, golden: dir.appendingPathComponent("golden"), baseDirectory: dir)
        } throws: { "\($0)".contains("\"input\" has shape [1, 24, 16, 16] but the block's input is [1,24,8,8]") }
    }

    @Test func tolerancesFollowTheFixtures() {
        #expect(GoldenCheck.tolerance(kind: "se") == 1e-5)
        #expect(GoldenCheck.tolerance(kind: "cbam") == 1e-5)
        #expect(GoldenCheck.tolerance(kind: "splat") == 1e-5)
        #expect(GoldenCheck.tolerance(kind: "gc") == 1e-5)
        #expect(GoldenCheck.tolerance(kind: "ela") == 1e-5 && GoldenCheck.tolerance(kind: "strip") == 1e-5 && GoldenCheck.tolerance(kind: "srm") == 1e-5)
        #expect(GoldenCheck.tolerance(kind: "sk") == 1e-4)
        #expect(GoldenCheck.tolerance(kind: nil) == 1e-4)
    }
}
