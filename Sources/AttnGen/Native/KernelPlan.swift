// What every tier compiles: the generated code for a spec and the flat parameter array it runs
// with. `Kernel` (tcc) and `NativeKernel` (system compiler) both start here, so the same spec and
// `WeightSource` give the same parameters in every tier.

import AttnLower
import Foundation

struct KernelPlan {
    let generated: Generated
    let params: [Float]

    /// `target`: the JIT's own (`.jit`), or the portable file the system compiler builds;
    /// `fusion`: `.opByOp` for the benchmarks' unfused baseline.
    init(_ spec: BlockSpec, weights: WeightSource, target: EmitTarget = .portable, fusion: Fusion = .fused) throws {
        var base: URL? = nil
        var spec = spec
        var files = WeightsFileCache()
        switch weights {
        case .spec(let dir): base = dir
        case .safetensors(let path, let prefix):
            // The command line's rule: a prefix fills a spec without one, never replaces its own.
            var options = WeightsOptions(weights: path, prefix: prefix)
            options.labels = ("the weights path", "the weights prefix")
            spec = try options.apply(to: [("", spec)])[0].spec
        case .file(let file, let prefix):
            var options = WeightsOptions(weights: file.path, prefix: prefix)
            options.labels = ("the weights file", "the weights prefix")
            spec = try options.apply(to: [("", spec)])[0].spec
            files = WeightsFileCache([file])
        case .random, .values:
            spec.weights = nil
            spec.weightsPrefix = nil
        }
        // The tiers pass the parameters as an array: printing them into the C text as a table
        // would cost more than compiling the kernel (a 2048-channel SE has half a million).
        let generated = try Pipeline.generate(
            spec, baseDirectory: base, files: files, target: target, fusion: fusion, weightTable: false)
        let program = generated.program
        switch weights {
        case .random(let seed): params = generated.lowered.fixingDerived(program.randomParams(seed: seed))
        case .values(let v):
            guard v.count == program.paramCount else {
                throw SpecError("weights", "\(v.count) parameter values given, the block has \(program.paramCount)")
            }
            params = v
        case .spec, .safetensors, .file:
            guard let imported = generated.params ?? (program.paramCount == 0 ? [] : nil) else {
                throw SpecError(
                    "weights", "the block has \(program.paramCount) parameters but no weights file was given")
            }
            params = imported
        }
        self.generated = generated
    }
}
