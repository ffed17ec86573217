// Every primitive op, in small custom graphs (Tests/OpGraphs/ops.json): the JIT-compiled C
// against the interpreter, NCHW with libm and NHWC without, over several seeds. Shapes are odd
// on purpose (H·W not a multiple of 4, N = 2, pools that do not divide H and W).

import AttnGen
import Foundation
import Testing

@Suite struct OpGraphTests {
    static let file = Paths.root.appendingPathComponent("Tests/OpGraphs/ops.json").path

    /// The block names, or one sentinel that fails `jitMatchesInterpreter` with the decoding error:
    /// a corpus that stops decoding must fail loudly, never run zero cases.
    static func blocks() -> [String] {
        do {
            return try Pipeline.loadSpecs(path: file).map(\.name)
        } catch {
            return ["<ops.json does not decode: \(error)>"]
        }
    }

    @Test func theCorpusDecodesAndIsLarge() throws {
        #expect(try Pipeline.loadSpecs(path: Self.file).count >= 9)
    }

    @Test(arguments: blocks())
    func jitMatchesInterpreter(_ name: String) throws {
        let spec = try #require(try Pipeline.loadSpecs(path: Self.file).first { $0.name == name }, "\(name)")
        for variant in [spec, spec.layout(.nhwc).libm(false)] {
            for seed: UInt64 in [1, 2, 3] {
                let result = try CrossCheck.run(variant, seed: seed)
                #expect(result.passed, "\(result)")
            }
        }
    }

    /// The file covers every JSON op, so a new op cannot land untested.
    @Test func everyOpIsCovered() throws {
        let text = try String(contentsOfFile: Self.file, encoding: .utf8)
        for op in LayerOp.jsonNames where !["linear", "channel_conv1d", "batch_norm", "relu", "hard_sigmoid", "global_pool", "channel_pool", "concat"].contains(op) {
            #expect(text.contains("\"op\": \"\(op)\""), "no graph in ops.json uses \(op)")
        }
    }
}
