// The Toeplitz-band form of a conv whose window spans the plane (AttnPlan's ToeplitzConv: a
// one-channel plane correlated with a (2H − 1)-wide kernel, as the lambda layer's relative
// position lambdas were before they were reassociated) against the interpreter at -march=native
// and at each fixed ISA level this CPU runs: on hosts, rows of one or two vectors run the register
// tiles on the bands in place, other widths go through attn_gemm_nn's packed copy. Planes of
// several widths (16, 8, 4, 6), one past a block of k (272 pixels); small planes may take the
// wide form instead (ToeplitzConv's cost rule) and are checked all the same. The lambda layer
// itself is checked at the same levels in RelPosLambdaTests.

import AttnCEmit
import AttnInterp
import AttnIR
import AttnPlan
import Foundation
import Testing

@testable import AttnGen

/// `planes` one-channel h×w planes through a (2·max(h, w) − 1)-wide conv to `out` channels,
/// zero padding max(h, w) − 1, no bias.
private func spanningConvSpec(_ planes: Int, _ out: Int, _ h: Int, _ w: Int) throws -> BlockSpec {
    let r = max(h, w) - 1
    let json = """
        {"name": "toeplitz_\(planes)_\(out)_\(h)_\(w)", "input": {"n": \(planes), "c": 1, "h": \(h), "w": \(w)}, "graph": [
          {"op": "conv2d", "out_channels": \(out), "kernel_size": \(2 * r + 1), "padding": \(r), "bias": false, "param": "pos"}]}
        """
    return try BlockSpec.decodeFile(Data(json.utf8))[0]
}

private let toeplitzSpecs: [BlockSpec] = try! [
    spanningConvSpec(16, 16, 8, 8),  // the catalog's lambda_rel_c64 before: rows of 8
    spanningConvSpec(4, 3, 4, 16),  // rows of 16
    spanningConvSpec(4, 4, 3, 8),  // rows of 8
    spanningConvSpec(4, 2, 17, 16),  // a plane of 272
    spanningConvSpec(2, 2, 5, 4),  // rows of 4
    spanningConvSpec(8, 3, 3, 6),  // rows of 6
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
