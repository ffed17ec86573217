// Bad weights through the whole pipeline: each error names the field at fault (`weights`, or the
// hyperparameter the weights contradict) and says which tensor, which shape, which element.

import AttnGen
import AttnWeights
import Foundation
import Testing

private let repoRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let fixtures = repoRoot.appendingPathComponent("Tests/Fixtures")

/// A fresh, empty temporary folder, removed by the caller with `defer`.
private func makeTempDir() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
        "attn-weights-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

private func write(_ bytes: [UInt8], _ name: String, in dir: URL) throws {
    try Data(bytes).write(to: dir.appendingPathComponent(name))
}

/// A safetensors file written byte by byte: 8-byte little-endian header length, JSON header,
/// data. Each tensor is (name, dtype, shape, raw bytes); offsets follow in order.
private func handMade(_ tensors: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])]) -> [UInt8] {
    SafeTensorsWriter.encodeRaw(tensors)
}

private func f32Bytes(_ values: [Float]) -> [UInt8] {
    var out: [UInt8] = []
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
    return out
}

private func i64Bytes(_ values: [Int64]) -> [UInt8] {
    var out: [UInt8] = []
    for v in values { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
    return out
}

private func ramp(_ n: Int) -> [Float] { (0..<n).map { Float($0 % 7) * 0.01 - 0.03 } }

/// timm SEModule tensors for C = 64, rd = 8 (the shapes of Tests/Fixtures/se_timm_c64), with
/// `change` applied to the list before writing.
private func seTensors(
    _ change: (inout [(name: String, shape: [Int], values: [Float])]) -> Void = { _ in }
) -> [UInt8] {
    var t: [(name: String, shape: [Int], values: [Float])] = [
        ("fc1.weight", [8, 64, 1, 1], ramp(512)), ("fc1.bias", [8], ramp(8)),
        ("fc2.weight", [64, 8, 1, 1], ramp(512)), ("fc2.bias", [64], ramp(64)),
    ]
    change(&t)
    // Changes keep names unique and counts matching shapes; a refusal is a bug in this test.
    return try! SafeTensorsWriter.encode(t)
}

/// The SE block the hand-written files are for, reading `weights.safetensors` beside it.
private let se64 = SqueezeExcite("se64", input: .nchw(1, 64, 4, 4), weights: "weights.safetensors")

/// The SpecError of generating `spec` from `dir`, or nil.
private func generateError(_ spec: BlockSpec, in dir: URL) -> SpecError? {
    do {
        _ = try Pipeline.generate(spec, baseDirectory: dir)
        return nil
    } catch {
        return error
    }
}

/// Writes `bytes` as weights.safetensors in a fresh folder and generates `spec` from there.
private func generateError(_ spec: BlockSpec = se64, weights bytes: [UInt8]) throws -> SpecError? {
    let dir = try makeTempDir()
    defer { try? FileManager.default.removeItem(at: dir) }
    try write(bytes, "weights.safetensors", in: dir)
    return generateError(spec, in: dir)
}

/// The committed fixture's spec, changed by `change`.
private func fixtureSpec(_ name: String, _ change: (inout BlockSpec) -> Void = { _ in }) throws -> BlockSpec {
    let data = try Data(contentsOf: fixtures.appendingPathComponent("\(name)/spec.json"))
    var spec = try #require(try BlockSpec.decodeFile(data).first)
    change(&spec)
    return spec
}

private func fixtureError(_ name: String, _ change: (inout BlockSpec) -> Void) throws -> SpecError? {
    generateError(try fixtureSpec(name, change), in: fixtures.appendingPathComponent(name))
}

@Suite("Weight errors")
struct WeightErrorTests {
    // MARK: the file

    @Test func theHandWrittenFilesAreGoodUntilBroken() throws {
        // Control: the unbroken files generate, so each failure below is the one thing changed.
        #expect(try generateError(weights: seTensors()) == nil)
        let good = handMade([
            ("fc1.weight", "F32", [8, 64, 1, 1], f32Bytes(ramp(512))), ("fc1.bias", "F32", [8], f32Bytes(ramp(8))),
            ("fc2.weight", "F32", [64, 8, 1, 1], f32Bytes(ramp(512))), ("fc2.bias", "F32", [64], f32Bytes(ramp(64))),
        ])
        #expect(try generateError(weights: good) == nil)
    }

    @Test func missingFile() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        expectError(generateError(se64, in: dir), path: "weights", "weights.safetensors", "no such file")
        // --weights (the override) is reported the same way.
        do {
            _ = try Pipeline.generate(se64, baseDirectory: dir, weightsOverride: "/nonexistent/se.safetensors")
            Issue.record("generated without weights")
        } catch {
            expectError(error, path: "weights", "/nonexistent/se.safetensors", "no such file")
        }
    }

    @Test func truncatedFile() throws {
        let real = try Data(contentsOf: fixtures.appendingPathComponent("se_timm_c64/weights.safetensors"))
        #expect(real.count > 100)
        expectError(try generateError(weights: Array(real.prefix(100))), path: "weights", "weights.safetensors",
                    "header length", "runs past the end of the file")
        // Cut inside the data instead: the header's offsets now point past the end.
        let headerEnd = 8 + 280
        expectError(try generateError(weights: Array(real.prefix(headerEnd + 16))), path: "weights", "weights.safetensors")
        expectError(try generateError(weights: Array(real.prefix(5))), path: "weights", "8-byte header length")
    }

    @Test func aBaseDirectoryWithoutTrailingSlashStillNamesTheFolder() throws {
        // `baseDirectory` is "the spec file's folder"; a folder URL spelled without a trailing
        // slash (as `appendingPathComponent` gives for a folder that does not exist yet) must
        // not make weights resolve against the folder's parent.
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(seTensors(), "weights.safetensors", in: dir)
        let noSlash = URL(fileURLWithPath: dir.path, isDirectory: false)
        #expect(!noSlash.hasDirectoryPath)
        #expect(throws: Never.self) { try Pipeline.generate(se64, baseDirectory: noSlash) }
    }

    @Test func directoryInsteadOfAFile() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("weights.safetensors"), withIntermediateDirectories: false)
        expectError(generateError(se64, in: dir), path: "weights", "is a directory")
    }

    @Test func wrongDType() throws {
        let bytes = handMade([
            ("fc1.weight", "I64", [8, 64, 1, 1], i64Bytes([Int64](repeating: 1, count: 512))),
            ("fc1.bias", "F32", [8], f32Bytes(ramp(8))),
            ("fc2.weight", "F32", [64, 8, 1, 1], f32Bytes(ramp(512))),
            ("fc2.bias", "F32", [64], f32Bytes(ramp(64))),
        ])
        expectError(try generateError(weights: bytes), path: "weights", "tensor \"fc1.weight\"", "dtype I64 is not a float type")
    }

    // MARK: the values

    @Test(arguments: [("fc2.weight", 37), ("fc1.bias", 0), ("fc2.bias", 63)])
    func nanInATensor(_ c: (tensor: String, index: Int)) throws {
        let bytes = seTensors { t in
            let i = t.firstIndex { $0.name == c.tensor }!
            t[i].values[c.index] = .nan
        }
        expectError(try generateError(weights: bytes), path: "weights", "tensor \"\(c.tensor)\"", "element \(c.index) is nan",
                    "must be finite")
    }

    @Test func infinityInATensor() throws {
        let bytes = seTensors { t in t[0].values[100] = -.infinity }
        expectError(try generateError(weights: bytes), path: "weights", "tensor \"fc1.weight\"", "element 100 is -inf")
    }

    // MARK: names and shapes

    @Test func missingTensor() throws {
        let noFC2 = seTensors { t in t.removeAll { $0.name == "fc2.weight" } }
        expectError(try generateError(weights: noFC2), path: "weights", "missing tensor \"fc2.weight\" of shape [64, 8]",
                    "timm names")
        // Without fc1.weight, rd falls back to C / 16 = 4, and that is the shape asked for.
        let noFC1 = seTensors { t in t.removeAll { $0.name == "fc1.weight" } }
        expectError(try generateError(weights: noFC1), path: "weights", "missing tensor \"fc1.weight\" of shape [4, 64]")
    }

    @Test func missingTensorIsNamedInTheFilesOwnScheme() throws {
        // moskomule's SELayer names: fc.0 / fc.2, no bias.
        let bytes = try SafeTensorsWriter.encode([("fc.0.weight", [3, 48], ramp(144))])
        let spec = SqueezeExcite("se48", input: .nchw(1, 48, 4, 4), weights: "weights.safetensors")
        expectError(try generateError(spec, weights: bytes), path: "weights", "missing tensor \"fc.2.weight\" of shape [48, 3]",
                    "moskomule SELayer names")
    }

    @Test func missingBatchNormStatistic() throws {
        let spec = try fixtureSpec("cbam_timm_c64_k7")
        let file = try SafeTensorsFile.load(path: fixtures.appendingPathComponent("cbam_timm_c64_k7/weights.safetensors").path)
        let tensors = try file.names().filter { $0 != "spatial.conv.bn.running_var" && file.tensors[$0]!.dtype == .f32 }
            .map { (name: $0, shape: file.tensors[$0]!.shape, values: try file.floats($0)) }
        expectError(try generateError(spec, weights: SafeTensorsWriter.encode(tensors)), path: "weights",
                    "missing tensor \"spatial.conv.bn.running_var\" of shape [1]")
    }

    @Test func wrongShape() throws {
        let bytes = seTensors { t in
            let i = t.firstIndex { $0.name == "fc2.weight" }!
            t[i] = ("fc2.weight", [64, 5, 1, 1], ramp(320))
        }
        expectError(try generateError(weights: bytes), path: "weights", "tensor \"fc2.weight\"",
                    "has shape [64, 5, 1, 1], expected [64, 8]")
        // Same count, other layout: [8, 64] where [64, 8] belongs.
        let transposed = seTensors { t in
            let i = t.firstIndex { $0.name == "fc2.weight" }!
            t[i] = ("fc2.weight", [8, 64], ramp(512))
        }
        expectError(try generateError(weights: transposed), path: "weights", "has shape [8, 64], expected [64, 8]")
    }

    // MARK: hyperparameters the weights contradict

    @Test func reducedChannelsConflict() throws {
        expectError(try fixtureError("se_timm_c64") { $0.body = .block(SEOptions(reducedChannels: 4)) },
                    path: "reduced_channels", "is 4 but", "weights.safetensors", "\"fc1.weight\" of shape [8, 64, 1, 1]")
    }

    @Test func reductionConflict() throws {
        expectError(try fixtureError("se_timm_c64") { $0.body = .block(SEOptions(reduction: 16)) },
                    path: "reduction", "is 16 (rd = 64/16 = 4) but", "\"fc1.weight\" of shape [8, 64, 1, 1]")
    }

    @Test func biasFalseButTheFileHoldsBiases() throws {
        expectError(try fixtureError("se_timm_c64") { $0.body = .block(SEOptions(bias: false)) },
                    path: "bias", "is false but", "holds fc1.bias")
    }

    @Test func biasTrueButTheFileHasNone() throws {
        expectError(try fixtureError("se_moskomule_c48") { $0.body = .block(SEOptions(reduction: 16, bias: true)) },
                    path: "bias", "is true but", "has no fc.0.bias", "moskomule SELayer names")
    }

    @Test func kernelSizeConflicts() throws {
        expectError(try fixtureError("eca_timm_k3_c32") { $0.body = .block(ECAOptions(kernelSize: 5)) },
                    path: "kernel_size", "is 5 but", "\"conv.weight\" of shape [1, 1, 3]")
        expectError(
            try fixtureError("cbam_timm_c64_k7") {
                $0.body = .block(CBAMOptions(reducedChannels: 4, spatialKernelSize: 3, bias: false))
            }, path: "spatial_kernel_size", "is 3 but", "\"spatial.conv.conv.weight\" of shape [1, 2, 7, 7]")
    }

    // MARK: prefixes

    @Test func weightsPrefixMatchingNothing() throws {
        expectError(try fixtureError("se_prefix") { $0.weightsPrefix = "layer9.0.se." },
                    path: "weights_prefix", "no tensor", "starts with \"layer9.0.se.\"")
    }

    @Test func weightsPrefixSelectsTheOtherBlock() throws {
        // Control for the test above: both SE blocks of the checkpoint import.
        for prefix in ["layer3.0.se.", "layer3.1.se."] {
            let spec = try fixtureSpec("se_prefix") { $0.weightsPrefix = prefix }
            let generated = try Pipeline.generate(spec, baseDirectory: fixtures.appendingPathComponent("se_prefix"))
            #expect(generated.params?.count == generated.program.paramCount)
        }
    }

    @Test func aWholeNetworkFileWithoutPrefixIsMissingTheBlocksTensors() throws {
        expectError(try fixtureError("se_prefix") { $0.weightsPrefix = nil }, path: "weights", "missing tensor \"fc1.", "se_prefix")
    }

    @Test func anEmptyFileIsAWeightsError() throws {
        // No weights_prefix was given, so the error must not point at one.
        expectError(try generateError(weights: SafeTensorsWriter.encode([])), path: "weights", "weights.safetensors")
    }

    // MARK: every committed fixture imports

    // Folders with a spec.json (Tests/Fixtures/pth/ holds .pth files for TorchCheckpointTests).
    @Test(arguments: Paths.fixtureNames())
    func committedFixturesImport(name: String) throws {
        let spec = try fixtureSpec(name)
        let generated = try Pipeline.generate(spec, baseDirectory: fixtures.appendingPathComponent(name))
        guard spec.weights != nil else {
            // A block without parameters (se_var1) has no weights file and bakes no table.
            #expect(generated.program.paramCount == 0)
            return
        }
        let params = try #require(generated.params)
        #expect(params.count == generated.program.paramCount)
        let allFinite = params.allSatisfy { $0.isFinite }
        #expect(allFinite)
        #expect(generated.source.source.contains("const float \(spec.name)_params["))
    }
}
