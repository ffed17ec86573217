// timm's relative-position lambda layer, lowered through `Op.relPosWeights` (the position
// lambdas reassociated onto the queries: one GEMM per head, query column and row offset),
// against the interpreter at -march=native, at each fixed ISA level this CPU runs and under
// tcc: square and non-square planes, a single row, one past a block of k (272 pixels), two
// samples.

import AttnCEmit
import AttnInterp
import AttnIR
import Foundation
import Testing

@testable import AttnGen

/// timm's relative-position lambda layer on an n×c×h×w input (feat_size = the plane).
private func relativeLambdaSpec(_ n: Int, _ c: Int, _ h: Int, _ w: Int, heads: Int, dimHead: Int) throws -> BlockSpec {
    let json = """
        {"name": "rel_lambda_\(n)_\(c)_\(h)_\(w)", "kind": "lambda", "feat_size": [\(h), \(w)], "num_heads": \(heads), "dim_head": \(dimHead),
         "input": {"n": \(n), "c": \(c), "h": \(h), "w": \(w)}}
        """
    return try BlockSpec.decodeFile(Data(json.utf8))[0]
}

private let relativeSpecs: [BlockSpec] = try! [
    relativeLambdaSpec(1, 64, 8, 8, heads: 4, dimHead: 16),  // the catalog's lambda_rel_c64
    relativeLambdaSpec(1, 8, 4, 16, heads: 2, dimHead: 3),
    relativeLambdaSpec(1, 12, 3, 8, heads: 3, dimHead: 4),
    relativeLambdaSpec(1, 8, 17, 16, heads: 2, dimHead: 2),
    relativeLambdaSpec(1, 8, 1, 6, heads: 4, dimHead: 2),
    relativeLambdaSpec(2, 8, 3, 6, heads: 2, dimHead: 3),
]

@Suite struct RelPosLambdaTests {
    static let levels: [ISALevel] = ISALevel.runnable().levels

    @Test(arguments: levels)
    func matchesInterpreter(_ level: ISALevel) throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-relpos-\(UUID().uuidString)")
        let compiler = NativeCompiler(cacheDirectory: cache).at(level)
        defer { try? FileManager.default.removeItem(at: cache) }
        for spec in relativeSpecs {
            let kernel = try NativeKernel(spec, weights: .random(seed: 23), compiler: compiler)
            #expect(kernel.program.instrs.contains { if case .relPosWeights = $0.op { true } else { false } }, "\(spec.name)")
            let input = kernel.program.randomInput(seed: 6)
            let reference = try Interpreter.run(kernel.program, input: input, params: kernel.params)
            let comparison = try Comparison(try kernel.apply(input), reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(spec.name) at \(level): \(comparison)")
        }
    }

    @Test func tccMatchesInterpreter() throws {
        for spec in relativeSpecs {
            for variant in [spec, spec.layout(.nhwc).libm(false)] {
                let result = try CrossCheck.run(variant, seed: 3)
                #expect(result.passed, "\(result)")
            }
        }
    }
}
