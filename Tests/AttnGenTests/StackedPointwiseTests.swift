// The stacking pass (`stackPointwise`): sibling 1×1 convs of one tensor become one step the plan
// prints, hosts run them as one GEMM, and every tier computes what the interpreter computes, on
// seeded random data over a grid of shapes (a plane narrower than one panel, one past a panel,
// several samples, more input channels than one block of k).

import AttnInterp
import Foundation
import Testing

@testable import AttnGen
import AttnCEmit
import AttnIR
import AttnNative
import AttnPlan
import AttnSpec

@Suite struct StackedPointwiseTests {
    /// Three 1×1 convs of x (one without bias) with a relu of x between them in the graph, a 3×3
    /// conv of x that must stay apart, and a 1×1 conv of another tensor.
    static func spec(n: Int, c: Int, h: Int, w: Int) throws -> BlockSpec {
        let text = #"""
            {"name": "stacked", "input": {"n": \#(n), "c": \#(c), "h": \#(h), "w": \#(w)}, "graph": [
              {"op": "conv2d", "out_channels": 5, "kernel_size": 1, "bias": true, "param": "q", "inputs": ["x"], "as": "q"},
              {"op": "relu", "inputs": ["x"], "as": "r"},
              {"op": "conv2d", "out_channels": 7, "kernel_size": 1, "bias": false, "param": "k", "inputs": ["x"], "as": "k"},
              {"op": "conv2d", "out_channels": 3, "kernel_size": 3, "padding": 1, "bias": true, "param": "s", "inputs": ["x"], "as": "s"},
              {"op": "conv2d", "out_channels": 3, "kernel_size": 1, "bias": true, "param": "v", "inputs": ["x"], "as": "v"},
              {"op": "conv2d", "out_channels": 3, "kernel_size": 1, "bias": true, "param": "o", "inputs": ["r"], "as": "o"},
              {"op": "concat", "inputs": ["q", "k", "s", "v", "o"]}]}
            """#
        return try #require(try BlockSpec.decodeFile(Data(text.utf8)).first)
    }

    /// The three 1×1 convs of x are one step and the printouts say so; op by op keeps them apart.
    @Test func siblingsAreOneStep() throws {
        let program = try Pipeline.generate(try Self.spec(n: 1, c: 6, h: 5, w: 5)).program
        let plan = Plan(program)
        let convs = (1...plan.program.instrs.count).filter { isStackablePointwise(plan.program.instrs[$0 - 1]) }
        let ofX = convs.filter { plan.program.instrs[$0 - 1].operands == [0] }
        #expect(ofX.count == 3)
        #expect(plan.stackedGEMMs == [ofX[0]: Array(ofX.dropFirst())])
        #expect(plan.steps.contains { $0.group == ofX })
        #expect(Explain.text(program).contains("one GEMM with %\(ofX[1]), %\(ofX[2])"))
        let unfused = Plan(program, fusion: .opByOp)
        #expect(unfused.stackedGEMMs.isEmpty)
        let source = try Pipeline.generate(try Self.spec(n: 1, c: 6, h: 5, w: 5), target: .host).source.source
        #expect(source.contains("attn_gemm_nn_stack(rows, 3,"))
        #expect(source.contains("one GEMM with"))
    }

    /// Weight rows 4 KiB apart (1024 input channels and multiples) are copied to host scratch
    /// for the stacked GEMM; other pitches read them in place.
    @Test func weightRowsCopiedOnlyAt4KiBPitch() throws {
        let packed = try Pipeline.generate(try Self.spec(n: 1, c: 1024, h: 3, w: 5), target: .host).source.source
        let call = try #require(packed.split(separator: "\n").first { $0.contains("attn_gemm_nn_stack(rows, 3,") })
        #expect(call.contains("scratch + ") && !call.contains("(float *)0"))
        let inPlace = try Pipeline.generate(try Self.spec(n: 1, c: 300, h: 3, w: 3), target: .host).source.source
        #expect(inPlace.contains("attn_gemm_nn_stack(rows, 3, input, 9, 9, 300, (float *)0, (const float *)0);"))
    }

    /// Every tier's stacked step against the interpreter over shapes; 1024 and 2048 input channels
    /// take the copied weight rows (5, 7 and 3 rows: tiles of six, six and one, three).
    @Test(arguments: [(1, 6, 5, 5), (2, 9, 4, 7), (1, 300, 3, 3), (1, 16, 17, 2), (2, 3, 1, 20), (1, 1024, 3, 5), (2, 2048, 2, 9)])
    func stackedConvsMatchInterpreter(_ shape: (Int, Int, Int, Int)) throws {
        let spec = try Self.spec(n: shape.0, c: shape.1, h: shape.2, w: shape.3)
        let gcc = NativeCompiler(
            command: ["gcc"], flags: ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"], cacheDirectory: nil)
        for target in [EmitTarget.host, .mcu, .portable] {
            let generated = try Pipeline.generate(spec, target: target)
            let params = generated.program.randomParams(seed: 21)
            let input = generated.program.randomInput(seed: 22)
            let reference = try Interpreter.run(generated.program, input: input, params: params)
            let native = try NativeKernel(generated: generated, params: params, compiler: gcc, useCache: false)
            let comparison = try Comparison(try native(input), reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(shape) \(target): \(comparison)")
        }
        let jit = try Kernel(spec, weights: .random(seed: 21), useCache: false)
        let comparison = try Comparison(try jit(jit.program.randomInput(seed: 22)), reference: try Interpreter.run(
            jit.program, input: jit.program.randomInput(seed: 22), params: jit.params))
        #expect(comparison.within(CrossCheck.tolerance), "\(shape) tcc: \(comparison)")
    }

    /// CAM's energy X·Xᵀ takes the Gram path of the hosts' attn_gemm_nt (upper panels computed,
    /// the rest mirrored): channel counts that end mid-panel and mid-tile, against the interpreter.
    @Test(arguments: [20, 37])
    func gramMatchesInterpreter(_ c: Int) throws {
        let text = #"{"name": "cam", "kind": "danet_cam", "input": {"n": 2, "c": \#(c), "h": 5, "w": 6}}"#
        let spec = try #require(try BlockSpec.decodeFile(Data(text.utf8)).first)
        let generated = try Pipeline.generate(spec, target: .host)
        #expect(generated.source.source.contains("attn_gemm_nt(") && generated.source.source.contains("gram"))
        let gcc = NativeCompiler(
            command: ["gcc"], flags: ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-O2"], cacheDirectory: nil)
        let params = generated.program.randomParams(seed: 23)
        let input = generated.program.randomInput(seed: 24)
        let native = try NativeKernel(generated: generated, params: params, compiler: gcc, useCache: false)
        let comparison = try Comparison(try native(input), reference: try Interpreter.run(generated.program, input: input, params: params))
        #expect(comparison.within(CrossCheck.tolerance), "cam c=\(c): \(comparison)")
    }
}
