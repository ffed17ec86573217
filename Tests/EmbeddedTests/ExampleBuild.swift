// One block of a Generated/ example, made the way a user makes it: random weights written as a
// safetensors file under the catalog's parameter names, then `attn-gen SPEC --weights FILE -o DIR`
// (the built CLI binary), which bakes them into <name>.c as const arrays. Each block gets its own
// folder; the work is done once per test process and shared by the tests.

import AttnGen
import AttnInterp
import AttnLower
import AttnWeights
import Foundation

/// A generated block, its weights and what the emitter said about it.
struct PreparedBlock: Sendable {
    let spec: BlockSpec
    let program: Program
    /// The flat parameter array exactly as imported into the .c (BatchNorm folded).
    let params: [Float]
    let directory: URL
    let header: String
    let source: String
    /// The same files generated in process (equal to the CLI's, checked when preparing).
    let generated: CSource

    var name: String { program.name }
    var macro: String { program.name.uppercased() }
    var headerURL: URL { directory.appendingPathComponent("\(name).h") }
    var sourceURL: URL { directory.appendingPathComponent("\(name).c") }

    var layout: TensorLayout { spec.layout ?? .nchw }

    /// Seed of the input the device and the host both draw.
    var inputSeed: UInt64 { 12 }
    /// The input in memory order (what the device's buffer holds).
    var input: [Float] { program.randomInput(seed: inputSeed) }

    /// The interpreter's output for `input`, in the block's memory order.
    func reference() throws -> [Float] {
        let nchw = try layout.toNCHW(input, program.input)
        return try layout.fromNCHW(try Interpreter.run(program, input: nchw, params: params), program.outputShape)
    }

    /// `NAME_OUTPUT_MAY_ALIAS_INPUT 1` in the header (the lead's emitter adds it; absent = no).
    var outputMayAliasInput: Bool { Footprint.headerSaysOutputMayAliasInput(header, macroPrefix: macro) }
    /// `<name>_selftest` declared in the header.
    var hasSelftest: Bool { header.contains("\(name)_selftest(") }
    /// The .c carries its own expf (`attn_expf`) and does not include <math.h>.
    var isLibmFree: Bool { !source.contains("<math.h>") && source.contains("attn_expf") }
}

final class Workspace: @unchecked Sendable {
    static let shared = Workspace()

    let root: URL
    private let memo = Memo<[PreparedBlock]>()

    private init() {
        let tmp = FileManager.default.temporaryDirectory
        // Folders of earlier runs whose process is gone are removed.
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []
        where entry.hasPrefix("attn-gen-embedded-") {
            if let pid = Int32(entry.dropFirst("attn-gen-embedded-".count)), kill(pid, 0) != 0 {
                try? FileManager.default.removeItem(at: tmp.appendingPathComponent(entry))
            }
        }
        root = tmp.appendingPathComponent("attn-gen-embedded-\(getpid())")
        try? FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// The blocks of `Generated/<specFile>` with `variant`'s options, generated with random
    /// weights (once per process).
    func blocks(_ specFile: String, _ variant: Variant = .plain) throws -> [PreparedBlock] {
        try memo.get("\(specFile)/\(variant)") {
            let specs = try Pipeline.loadSpecs(path: EmbeddedPaths.generated.appendingPathComponent(specFile).path)
            return try specs.enumerated().map { index, spec in
                try prepareBlock(variant.apply(spec), seed: 1000 + UInt64(index), folder: "\(spec.name)-\(variant)", target: variant.target)
            }
        }
    }

    /// Writes the block's own spec and weights, then runs the CLI on them.
    func prepareBlock(_ spec: BlockSpec, seed: UInt64, folder: String? = nil, target: EmitTarget = .portable) throws -> PreparedBlock {
        let dir = root.appendingPathComponent(folder ?? spec.name)
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var bare = spec
        bare.weights = nil
        bare.weightsPrefix = nil
        let specURL = dir.appendingPathComponent("\(spec.name).spec.json")
        try Data(bare.canonicalJSON.utf8).write(to: specURL)

        let lowered = try Lowering.lower(bare)
        var args = [specURL.path, "-o", dir.path] + (target == .portable ? [] : ["--target", target.rawValue])
        var weightsPath: String? = nil
        if lowered.program.paramCount > 0 {
            let url = dir.appendingPathComponent("\(spec.name).safetensors")
            try Data(RandomCheckpoint.encode(lowered, seed: seed)).write(to: url)
            weightsPath = url.path
            args += ["--weights", url.path]
        }
        try CLI.generate(args)

        // The same import the CLI just ran, in process, for the parameters the .c holds.
        let generated = try Pipeline.generate(bare, baseDirectory: dir, weightsOverride: weightsPath, target: target)
        let header = try String(contentsOf: dir.appendingPathComponent("\(spec.name).h"), encoding: .utf8)
        let source = try String(contentsOf: dir.appendingPathComponent("\(spec.name).c"), encoding: .utf8)
        guard header == generated.source.header, source == generated.source.source else {
            throw ToolError("\(spec.name): the CLI's files differ from the same generation in process")
        }
        return PreparedBlock(
            spec: generated.spec, program: generated.program, params: generated.params ?? [], directory: dir,
            header: header, source: source, generated: generated.source)
    }
}

/// A random state_dict for a lowered block, under the catalog's (timm's) names.
enum RandomCheckpoint {
    static func encode(_ lowered: Lowered, seed: UInt64) throws -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var tensors: [(name: String, shape: [Int], values: [Float])] = []
        var seen = Set<String>()
        func add(_ name: String, _ dims: [Int], _ lo: Float, _ hi: Float) {
            guard seen.insert(name).inserted else { return }  // shared weights appear once
            let n = dims.reduce(1, *)
            tensors.append((name, dims, (0..<n).map { _ in rng.uniform(lo, hi) }))
        }
        for (decl, source) in zip(lowered.program.params, lowered.sources) {
            switch source {
            case .tensor(let name):
                let bound = 1 / Float(decl.fanIn).squareRoot()
                switch decl.role {
                case .weight: add(name, decl.dims, -bound, bound)
                case .bias, .shift: add(name, decl.dims, -0.5, 0.5)
                case .scale: add(name, decl.dims, 0.5, 1.5)
                }
            case .batchNormScale(let prefix, _), .batchNormShift(let prefix, _):
                add(prefix + ".weight", decl.dims, 0.5, 1.5)
                add(prefix + ".bias", decl.dims, -0.5, 0.5)
                add(prefix + ".running_mean", decl.dims, -0.5, 0.5)
                add(prefix + ".running_var", decl.dims, 0.5, 1.5)
            case .derived(.fixed(_, let name, let reference, let dims, _)):
                // The buffer as the reference code saves it (import checks it).
                if seen.insert(name).inserted { tensors.append((name, dims, reference)) }
            case .derived(.relativePositionKernel(let name, let h, let w)):
                add(name, [2 * h - 1, 2 * w - 1, decl.dims[0]], -0.5, 0.5)
            }
        }
        return try SafeTensorsWriter.encode(tensors)
    }
}

/// The attn-gen executable built next to the test binary; in process through the same library
/// calls as `Generate.run` when it is not there.
enum CLI {
    static let binary: String? = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        for dir in candidates {
            let path = dir.appendingPathComponent("attn-gen").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    static func generate(_ args: [String]) throws {
        if let binary {
            let r = Tool.run(binary, args)
            guard r.status == 0 else { throw ToolError("attn-gen \(args.joined(separator: " ")): \(r.text)") }
            return
        }
        // Fallback: Generate.run's body.
        let spec = args[0]
        let out = URL(fileURLWithPath: args[args.firstIndex(of: "-o")! + 1])
        let weights = args.firstIndex(of: "--weights").map { args[$0 + 1] }
        let target = args.firstIndex(of: "--target").flatMap { EmitTarget(rawValue: args[$0 + 1]) } ?? .portable
        var files: [(name: String, contents: String)] = []
        for block in try Pipeline.loadSpecs(path: spec) {
            files += try Pipeline.generate(
                block, baseDirectory: URL(fileURLWithPath: spec).deletingLastPathComponent(), weightsOverride: weights, target: target
            ).source.files
        }
        try OutputWriter.write(files, to: out)
    }
}
