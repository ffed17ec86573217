// spec → (weights read, hyperparameters completed) → IR → C, in one call. The CLI, the harness,
// the JIT and the tests all go through here.

import AttnCEmit
import AttnInterp
import AttnLower
import AttnWeights
import Foundation

/// Everything generated for one block.
public struct Generated: Sendable {
    /// The spec with hyperparameters completed from the weights.
    public let spec: BlockSpec
    package let lowered: Lowered
    /// Imported parameters, or nil when the spec names no weights.
    public let params: [Float]?
    /// The generated header and source.
    public let source: CSource

    /// The block's IR program.
    public var program: Program { lowered.program }
}

/// Spec to C: lowering, weights and emission, without compiling.
public enum Pipeline {
    /// Runs the whole pipeline. `baseDirectory` resolves a relative `weights` path (the spec
    /// file's folder); `weightsOverride` replaces the spec's `weights`. The weights file comes
    /// from `files`, which opens each path once: pass one cache to every block of a run. `target`
    /// is the compiler the .c is for (every branch by default); `sharedHelpers`, the stem of a
    /// support file pair the .c then includes instead of defining its plain helpers (`SupportFiles`);
    /// `fusion`, `.opByOp` for the unfused baseline a benchmark compares with. `weightTable: false`
    /// leaves imported weights out of the `.c` text (they stay in `Generated.params`): what the
    /// in-process tiers want, which pass the parameters as an array and never read the table.
    public static func generate(
        _ spec: BlockSpec, baseDirectory: URL? = nil, weightsOverride: String? = nil,
        files: WeightsFileCache = WeightsFileCache(), target: EmitTarget = .portable, sharedHelpers: String? = nil,
        fusion: Fusion = .fused, weightTable: Bool = true
    ) throws(SpecError) -> Generated {
        var spec = spec
        if let w = weightsOverride { spec.weights = w }
        var params: [Float]? = nil
        var lowered: Lowered
        if let checkpoint = try loadCheckpoint(spec, baseDirectory: baseDirectory, files: files) {
            spec = try checkpoint.complete(spec)
            lowered = try Lowering.lower(spec)
            params = try checkpoint.parameters(for: lowered)
        } else {
            lowered = try Lowering.lower(spec)
        }
        debugDump(lowered.program)
        var options = EmitOptions(
            layout: spec.layout ?? .nchw, libm: spec.libm ?? true, target: target, support: sharedHelpers, fusion: fusion)
        if spec.selftest == true {
            // A block without parameters needs no weights file to check itself.
            if params == nil && lowered.program.paramCount == 0 { params = [] }
            guard let params else { throw SpecError("selftest", "needs weights: the check runs the baked parameters") }
            // The golden values come from the interpreter, now: its work is capped.
            let cost = lowered.program.interpreterCost
            guard cost <= Limits.maxSelftestCost else {
                throw SpecError(
                    "selftest",
                    "the block costs \(cost) operations to run in the interpreter (FLOPs plus elements), over the self-test cap of "
                        + "\(Limits.maxSelftestCost); generate it without selftest")
            }
            let floats = lowered.program.interpreterElements
            guard floats <= Limits.maxSelftestElements else {
                throw SpecError(
                    "selftest",
                    "the interpreter would hold \(floats) floats of values to compute the golden outputs, over the self-test cap of "
                        + "\(Limits.maxSelftestElements); generate it without selftest")
            }
            do {
                options.selftest = try goldenChecks(lowered.program, params: params, layout: options.layout)
            } catch {
                preconditionFailure("imported parameters do not fit their own program: \(error)")
            }
        }
        let source: CSource
        do {
            // A self-test checks the baked table, so it keeps it.
            let baked = weightTable || options.selftest != nil ? params : nil
            // Lowering's plan, when it is the one this file needs.
            let plan = fusion == .fused && lowered.layout == options.layout ? lowered.plan : nil
            // The JIT's header echoes no spec (`Skeleton.header`): its canonical text is not made.
            let specText = target == .jit ? "" : spec.canonicalJSON
            source = try CEmitter.emit(lowered.program, specText: specText, weights: baked, options: options, plan: plan)
        } catch {
            // Imported weights are finite and of the program's size, so the one refusal a user
            // can cause is a self-test value the weights drive past float range.
            if case .nonFinite("selftest.checks", let i, let value) = error, let check = options.selftest?.checks[i] {
                throw SpecError(
                    "selftest",
                    "output element \(check.index) is \(value) on the self-test's input with these weights; the check needs finite outputs")
            }
            preconditionFailure("the pipeline's own weights and checks do not fit the program: \(error)")
        }
        return Generated(spec: spec, lowered: lowered, params: params, source: source)
    }

    /// Decodes a spec file; relative weights resolve against its folder.
    public static func loadSpecs(path: String) throws(SpecError) -> [BlockSpec] {
        try loadBlocks(path: path).map(\.spec)
    }

    /// Decodes a spec file, pairing each block with its JSON path (`blocks[1]`, or "" for a
    /// single-block file) so errors found later still name where the block is.
    public static func loadBlocks(path: String) throws(SpecError) -> [(path: String, spec: BlockSpec)] {
        try BlockSpec.decodeBlocks(try SpecFile.read(path: path))
    }

    /// The blocks of one file, generated: refused when their files, symbols or macros meet
    /// (`BlockSpec.checkGlobalNames`), now with every tensor the headers define. Decoding already
    /// compared what the specs alone say; a catalog block's tensors can depend on its weights.
    package static func checkGlobalNames(_ generated: [Generated]) throws(SpecError) {
        guard generated.count > 1 else { return }
        try BlockSpec.checkGlobalNames(
            generated.enumerated().map {
                ("blocks[\($0.offset)]", "blocks[\($0.offset)].name", $0.element.program.name, $0.element.program.params.map(\.name))
            })
    }

    /// `generate`, with errors placed at the block's path in its file.
    public static func generate(
        _ block: (path: String, spec: BlockSpec), baseDirectory: URL?, weightsOverride: String? = nil,
        files: WeightsFileCache = WeightsFileCache(), target: EmitTarget = .portable, sharedHelpers: String? = nil,
        fusion: Fusion = .fused
    ) throws(SpecError) -> Generated {
        do {
            return try generate(
                block.spec, baseDirectory: baseDirectory, weightsOverride: weightsOverride, files: files, target: target,
                sharedHelpers: sharedHelpers, fusion: fusion)
        } catch {
            throw error.within(block.path)
        }
    }

    static func loadCheckpoint(_ spec: BlockSpec, baseDirectory: URL?, files: WeightsFileCache) throws(SpecError) -> Checkpoint? {
        guard let weights = spec.weights else {
            if spec.weightsPrefix != nil { throw SpecError("weights_prefix", "is given but no weights file is") }
            return nil
        }
        return try Checkpoint(
            weights: try files.file(at: weightsPath(weights, baseDirectory: baseDirectory)), prefix: spec.weightsPrefix, body: spec.body)
    }

    /// A spec's `weights` as a path: relative ones are relative to `baseDirectory` when given.
    static func weightsPath(_ weights: String, baseDirectory: URL?) -> String {
        let url =
            baseDirectory.map { URL(fileURLWithPath: weights, relativeTo: URL(fileURLWithPath: $0.path, isDirectory: true)) }
            ?? URL(fileURLWithPath: weights)
        return url.path
    }

    /// Sixteen output elements spread over the tensor, computed by the interpreter from the
    /// self-check's generated input.
    package static func goldenChecks(_ program: Program, params: [Float], layout: TensorLayout) throws(KernelError) -> Selftest {
        let seed: UInt32 = 2_024
        let memory = Selftest.input(seed: seed, count: program.input.count)
        let y = try layout.fromNCHW(
            try Interpreter.run(program, input: try layout.toNCHW(memory, program.input), params: params), program.outputShape)
        let picks = Array(Set((0..<16).map { $0 * y.count / 16 + ($0 * 7919) % max(1, y.count / 16) })).sorted()
        // 1e-4 of max|y|: a device may differ from the host in float rounding and in expf.
        return Selftest(seed: seed, checks: picks.map { Selftest.Check(index: $0, value: y[$0]) }, tolerance: 1e-4)
    }

    /// `ATTN_DEBUG=1` prints the IR after lowering, on stderr.
    private static func debugDump(_ program: Program) {
        // getenv, not ProcessInfo's environment, which copies the whole environment each call.
        guard let flag = getenv("ATTN_DEBUG"), String(cString: flag) == "1" else { return }
        FileHandle.standardError.write(Data("after lowering:\n\(program)".utf8))
    }
}
