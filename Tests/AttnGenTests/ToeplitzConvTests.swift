// The Toeplitz-band form of a conv whose window spans the plane (AttnPlan's ToeplitzConv: the
// lambda layer's relative-position lambdas) against the interpreter at -march=native and at each
// fixed ISA level this CPU runs: on hosts, rows of one or two vectors run the register tiles on the
// bands in place, other widths go through attn_gemm_nn's packed copy. Planes of several widths
// (16, 8, 4, 6), one past a block of k (272 pixels), two samples; small planes may take the wide
// form instead (ToeplitzConv's cost rule) and are checked all the same.

import AttnCEmit
import AttnInterp
import AttnIR
import AttnPlan
import Foundation
import Testing

@testable import AttnGen

/// timm's relative-position lambda layer on an n×c×h×w input (feat_size = the plane).
private func relativeLambdaSpec(_ n: Int, _ c: Int, _ h: Int, _ w: Int, heads: Int, dimHead: Int) throws -> BlockSpec {
    let json = """
        {"name": "toeplitz_\(n)_\(c)_\(h)_\(w)", "kind": "lambda", "feat_size": [\(h), \(w)], "num_heads": \(heads), "dim_head": \(dimHead),
         "input": {"n": \(n), "c": \(c), "h": \(h), "w": \(w)}}
        """
    return try BlockSpec.decodeFile(Data(json.utf8))[0]
}

private let toeplitzSpecs: [BlockSpec] = try! [
    relativeLambdaSpec(1, 64, 8, 8, heads: 4, dimHead: 16),  // the catalog's lambda_rel_c64: rows of 8
    relativeLambdaSpec(1, 8, 4, 16, heads: 2, dimHead: 3),  // rows of 16
    relativeLambdaSpec(1, 12, 3, 8, heads: 3, dimHead: 4),  // rows of 8
    relativeLambdaSpec(1, 8, 17, 16, heads: 2, dimHead: 2),  // a plane of 272
    relativeLambdaSpec(1, 8, 5, 4, heads: 4, dimHead: 2),  // rows of 4
    relativeLambdaSpec(2, 8, 3, 6, heads: 2, dimHead: 3),  // rows of 6, two samples
]

@Suite struct ToeplitzConvTests {
    static let levels: [ISALevel] = ISALevel.runnable().levels

    @Test(arguments: levels)
    func matchesInterpreter(_ level: ISALevel) throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-toeplitz-\(UUID().uuidString)")
        let compiler = NativeCompiler(cacheDirectory: cache).at(level)
        defer { try? FileManager.default.removeItem(at: cache) }
        var banded = 0
        for spec in toeplitzSpecs {
            let kernel = try NativeKernel(spec, weights: .random(seed: 23), compiler: compiler)
            let c = NativeKernel.sourceFiles(kernel.generated).list.map(\.contents).joined()
            if c.contains("_bands") && c.contains("attn_gemm_panel(") { banded += 1 }
            let program = kernel.program
            let input = program.randomInput(seed: 6)
            let reference = try Interpreter.run(program, input: input, params: kernel.params)
            let comparison = try Comparison(try kernel.apply(input), reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(spec.name) at \(level): \(comparison)")
        }
        #expect(banded >= 2, "only \(banded) of the specs took the Toeplitz form")
    }
}
