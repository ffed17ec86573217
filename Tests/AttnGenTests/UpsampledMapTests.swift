// The upsampled map (`Kernel.upsampledMap`): a nearest upsampling by whole factors read only by
// an add, sub or mul of a stored full-size value is never stored, the map reads each source
// element for the block it covers; every tier computes what the interpreter computes, on seeded
// random data over a grid of shapes (both operand orders, factors 2×2, 3×1 and 1×4, several
// samples, a single source row).

import AttnInterp
import Foundation
import Testing

@testable import AttnGen
import AttnCEmit
import AttnIR
import AttnNative
import AttnPlan
import AttnSpec

@Suite struct UpsampledMapTests {
    /// `y = x − up(s)` (or `up(s) − x`) with `s = sigmoid(x resized to the small plane)`, read by
    /// a softmax over W (so y is stored anyway), then `up2(s) · softmax(y) + up2(s)`: the first
    /// upsampling qualifies, the second is read twice and stays stored.
    static func spec(n: Int, c: Int, h: Int, w: Int, fh: Int, fw: Int, upFirst: Bool = false) throws -> BlockSpec {
        let text = #"""
            {"name": "upmap", "input": {"n": \#(n), "c": \#(c), "h": \#(h), "w": \#(w)}, "graph": [
              {"op": "upsample_nearest", "size": [\#(h / fh), \#(w / fw)], "inputs": ["x"]},
              {"op": "sigmoid", "as": "small"},
              {"op": "upsample_nearest", "size": [\#(h), \#(w)], "inputs": ["small"], "as": "up"},
              {"op": "sub", "inputs": \#(upFirst ? #"["up", "x"]"# : #"["x", "up"]"#), "as": "y"},
              {"op": "softmax", "axis": "w", "as": "sm"},
              {"op": "upsample_nearest", "size": [\#(h), \#(w)], "inputs": ["small"], "as": "up2"},
              {"op": "mul", "inputs": ["up2", "sm"], "as": "z"},
              {"op": "add", "inputs": ["z", "up2"]}]}
            """#
        return try #require(try BlockSpec.decodeFile(Data(text.utf8)).first)
    }

    /// The first upsampling is inline and its map is one step; the second is stored; op by op
    /// stores both.
    @Test func upsamplingIsNotStored() throws {
        let program = try Pipeline.generate(try Self.spec(n: 1, c: 3, h: 4, w: 6, fh: 2, fw: 2)).program
        let plan = Plan(program)
        let ups = (1...plan.program.instrs.count).filter {
            if case .upsampleNearest(let h, _) = plan.program.instrs[$0 - 1].op { return h == 4 }
            return false
        }
        #expect(ups.count == 2)
        #expect(plan.isInline(ups[0]) && !plan.isInline(ups[1]))
        #expect(plan.steps.contains { $0.kernel == .upsampledMap(upsample: ups[0]) })
        let unfused = Plan(program, fusion: .opByOp)
        #expect(!unfused.isInline(ups[0]) && !unfused.steps.contains { $0.kernel == .upsampledMap(upsample: ups[0]) })
    }

    /// Every tier against the interpreter over shapes and factors.
    @Test(arguments: [(1, 3, 4, 6, 2, 2), (2, 5, 6, 8, 3, 1), (1, 4, 2, 16, 1, 4), (2, 2, 9, 10, 3, 5)], [false, true])
    func upsampledMapMatchesInterpreter(_ shape: (Int, Int, Int, Int, Int, Int), upFirst: Bool) throws {
        let spec = try Self.spec(n: shape.0, c: shape.1, h: shape.2, w: shape.3, fh: shape.4, fw: shape.5, upFirst: upFirst)
        let gcc = NativeCompiler(
            command: ["gcc"], flags: ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"], cacheDirectory: nil)
        for target in [EmitTarget.host, .mcu, .portable] {
            let generated = try Pipeline.generate(spec, target: target)
            let params = generated.program.randomParams(seed: 31)
            let input = generated.program.randomInput(seed: 32)
            let reference = try Interpreter.run(generated.program, input: input, params: params)
            let native = try NativeKernel(generated: generated, params: params, compiler: gcc, useCache: false)
            let comparison = try Comparison(try native(input), reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(shape) \(upFirst) \(target): \(comparison)")
        }
        let jit = try Kernel(spec, weights: .random(seed: 31), useCache: false)
        let comparison = try Comparison(try jit(jit.program.randomInput(seed: 32)), reference: try Interpreter.run(
            jit.program, input: jit.program.randomInput(seed: 32), params: jit.params))
        #expect(comparison.within(CrossCheck.tolerance), "\(shape) \(upFirst) tcc: \(comparison)")
    }
}
