// The op-by-op baseline (`Fusion.opByOp`) the benchmarks compare the fused kernels with: every
// example built unfused computes what the interpreter computes, stores every value it computes
// (one loop nest per op, no row kernel), and is plain C the strict flags accept.

import AttnInterp
import Foundation
import Testing

@testable import AttnGen
import AttnCEmit
import AttnNative
import AttnPlan

@Suite struct OpByOpTests {
    static let specs = GeneratedTests.specs

    @Test(arguments: specs)
    func unfusedExampleMatchesInterpreter(_ specName: String) throws {
        let gcc = NativeCompiler(
            command: ["gcc"], flags: ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"], cacheDirectory: nil)
        for spec in try Pipeline.loadSpecs(path: Paths.generated.appendingPathComponent(specName).path) {
            let generated = try Pipeline.generate(spec, target: .mcu, fusion: .opByOp)
            #expect(generated.source.fusion == .opByOp)
            let params = generated.program.randomParams(seed: 5)
            let native = try NativeKernel(generated: generated, params: params, compiler: gcc, useCache: false)
            let input = generated.program.randomInput(seed: 6)
            let layout = spec.layout ?? .nchw
            let reference = try Interpreter.run(generated.program, input: input, params: params)
            let y = try layout.toNCHW(try native(try layout.fromNCHW(input, generated.program.input)), generated.program.outputShape)
            let comparison = try Comparison(y, reference: reference)
            // The MCU target's GEMM helper sums each product serially (its soft-float form, what
            // gcc on x86 builds), in another order than the interpreter: the attention-style kinds
            // get the tolerance their long sums and softmaxes have against PyTorch.
            let tolerance = max(CrossCheck.tolerance, GoldenCheck.tolerance(kind: spec.kind))
            #expect(comparison.within(tolerance), "\(spec.name) op by op: \(comparison)")
        }
    }

    /// Nothing inline, one op per step, no row kernel; the fused plan of the same program differs.
    @Test(arguments: specs)
    func everyValueIsStored(_ specName: String) throws {
        for spec in try Pipeline.loadSpecs(path: Paths.generated.appendingPathComponent(specName).path) {
            let program = try Pipeline.generate(spec).program
            let plan = Plan(program, layout: spec.layout ?? .nchw, fusion: .opByOp)
            #expect(plan.program == program, "\(spec.name): the op-by-op plan reorders the program")
            for v in 1...program.instrs.count {
                #expect(!plan.isInline(v), "\(spec.name): v\(v) is inline")
            }
            for step in plan.steps {
                #expect(step.group.count == 1 && step.kernel == .generic, "\(spec.name): \(step)")
            }
        }
    }

    /// The fused kernel is what the CLI writes by default; the flag changes the C.
    @Test func fusionChangesTheCode() throws {
        let spec = try Pipeline.loadSpecs(path: Paths.generated.appendingPathComponent("cbam_resnet50_layer3.spec.json").path)[0]
        let fused = try Pipeline.generate(spec, target: .mcu)
        let unfused = try Pipeline.generate(spec, target: .mcu, fusion: .opByOp)
        #expect(fused.source.fusion == .fused)
        #expect(fused.source.source != unfused.source.source)
        #expect(unfused.source.embeddedScratchSize > fused.source.embeddedScratchSize)
    }
}
