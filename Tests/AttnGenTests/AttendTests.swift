// Attention's query blocks on the gcc tier (attend.c: the scores' panels, each panel's softmax in
// one pass after its maximum, the sums kept for the outputs) against the interpreter, with and
// without libm, at shapes off every blocking edge: keys past a 256-key block and off the 6-key
// tile, query blocks ending in a full 16-wide panel, a partial one (12) and a one-vector panel
// (5), an inexact scale (so the scaled scores are stored before the shift), and DANet's PAM.

import AttnGen
import AttnInterp
import AttnSpec
import Foundation
import Testing

@Suite struct AttendTests {
    static let specs = [
        #"{"name": "attend_a", "input": {"c": 1, "h": 5, "w": 37}, "graph": [{"op": "attention", "inputs": ["x", "x", "x"], "scale": 0.3}]}"#,
        #"{"name": "attend_b", "input": {"n": 2, "c": 1, "h": 3, "w": 300}, "graph": [{"op": "attention", "inputs": ["x", "x", "x"], "scale": 0.7}]}"#,
        #"{"name": "attend_pam", "kind": "danet_pam", "input": {"c": 16, "h": 5, "w": 7}}"#,
    ]

    @Test(arguments: [true, false])
    func gccTierMatchesInterpreter(_ libm: Bool) throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("attn-gen-attend-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let compiler = NativeCompiler(cacheDirectory: cache)
        for json in Self.specs {
            let spec = try #require(try BlockSpec.decodeFile(Data(json.utf8)).first).libm(libm)
            let kernel = try NativeKernel(spec, weights: .random(seed: 5), compiler: compiler)
            #expect(try Pipeline.generate(spec).source.source.contains("attn_attend("), "\(spec.name): not on attend.c")
            let input = kernel.program.randomInput(seed: 9)
            let reference = try Interpreter.run(kernel.program, input: input, params: kernel.params)
            let comparison = try Comparison(try kernel.apply(input), reference: reference)
            #expect(comparison.within(CrossCheck.tolerance), "\(spec.name) libm \(libm): \(comparison)")
        }
    }
}
