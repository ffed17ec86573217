import AttnJIT
import Foundation
import Testing
@testable import AttnTFLite

/// The interpreter's int8 mode: TFLM's ops one at a time. Checked against TFLite Micro itself on
/// every fixture model, then used as the reference of a JIT grid over seeded random int8 blocks.
@Suite struct Int8InterpreterTests {
    @Test func interpreterMatchesTFLMOnEveryFixture() throws {
        for m in try Fixtures.models() {
            let model = try TFLiteReader.read(try Fixtures.bytes("\(m.name).tflite"))
            let size = m.input_shape.reduce(1, *)
            let xs = try Fixtures.bytes("\(m.name).input.bin").map { Int8(bitPattern: $0) }
            let ys = try Fixtures.bytes("\(m.name).output.bin").map { Int8(bitPattern: $0) }
            var differing = 0
            for start in stride(from: 0, to: xs.count, by: size) {
                let y = try Int8Interpreter(model)(Array(xs[start..<(start + size)]))
                differing += zip(y, ys[start..<(start + size)]).filter { $0 != $1 }.count
            }
            #expect(differing == 0, "\(m.name): \(differing) outputs differ from TFLM")
        }
    }

    /// An input: uniform over int8, or each channel around its own level (so means and gates
    /// spread over their range too).
    static func input(_ count: Int, channels: Int, _ r: inout BlockRandom, uniform: Bool) -> [Int8] {
        if uniform { return (0..<count).map { _ in Int8(truncatingIfNeeded: r.int(-128...127)) } }
        let levels = (0..<channels).map { _ in r.int(-160...160) }
        return (0..<count).map { i in Int8(min(max(levels[i % channels] + r.int(-40...40), -128), 127)) }
    }

    /// Seeded random SE, hard-sigmoid SE (each with ReLU or HARD_SWISH inside), ECA and CBAM
    /// blocks: each must be recognised whole, and its kernel in the libtcc JIT, its Swift model and
    /// TFLM's reference op chain (the benchmark's baseline, JIT-compiled too) must give exactly the
    /// interpreter's outputs on full-range inputs.
    @Test(arguments: ["se", "se_hard_sigmoid", "eca", "cbam"])
    func jitMatchesInterpreterOnRandomBlocks(kind: String) throws {
        var r = BlockRandom(rng: SplitMix64(state: 0x1A78_0000 &+ UInt64(kind.utf8.count)))
        var differing = 0, compared = 0, blocks = 0, chainDiffering = 0
        var changed = 0  // outputs that are not their input: the gates did something
        var distinct = Set<Int8>()
        for i in 0..<24 {
            let model: TFLiteModel
            switch kind {
            case "se": model = r.se(hardSigmoid: false, hardSwish: i % 2 == 1)
            case "se_hard_sigmoid": model = r.se(hardSigmoid: true, hardSwish: i % 2 == 1)
            case "eca": model = r.eca()
            default: model = r.cbam()
            }
            let imported = TFLiteImport(model: model, modelName: "random \(kind) \(i)")
            #expect(imported.unrecognised.isEmpty, "\(kind) \(i): \(imported.unrecognised)")
            guard imported.kernels.count == 1, let kernel = imported.kernels.first else {
                Issue.record("\(kind) \(i): \(imported.kernels.count) kernels")
                continue
            }
            #expect(kernel.recognised.kind == kind && kernel.recognised.operators == Array(model.operators.indices), "\(kind) \(i)")
            let header = kernel.files[0].contents
            let source = kernel.files[1].contents.replacingOccurrences(of: "#include \"\(kernel.name).h\"", with: header)
            let module = try TCCModule(source: source)
            let fn = try module.function("\(kernel.name)_forward", as: Int8BitExactTests.Forward.self)
            // TFLM's reference op chain, the benchmark's baseline, on the same block.
            let chainSource = kernel.tflmChain[1].contents.replacingOccurrences(of: "#include \"\(kernel.name)_tflm.h\"", with: kernel.tflmChain[0].contents)
            let chainModule = try TCCModule(source: chainSource)
            let chain = try chainModule.function("\(kernel.name)_tflm_forward", as: Int8BitExactTests.Forward.self)
            let interpreter = Int8Interpreter(model)
            let size = model.tensors[model.inputs[0]].elementCount
            for k in 0..<4 {
                let x = Self.input(size, channels: kernel.recognised.block.channels, &r, uniform: k % 2 == 0)
                let expected = try interpreter(x)
                let jit = Int8CTierTests.run(fn, x, scratchBytes: Int8Emitter.scratchBytes(kernel.recognised.block))
                let swift = kernel.recognised.block(x)
                let chained = Int8CTierTests.run(chain, x, scratchBytes: kernel.tflmArenaBytes)
                differing += zip(jit, expected).filter { $0 != $1 }.count + zip(swift, expected).filter { $0 != $1 }.count
                chainDiffering += zip(chained, expected).filter { $0 != $1 }.count
                compared += 2 * expected.count
                changed += zip(x, expected).filter { $0 != $1 }.count
                distinct.formUnion(expected)
            }
            blocks += 1
            withExtendedLifetime(module) {}
            withExtendedLifetime(chainModule) {}
        }
        #expect(blocks == 24)
        #expect(chainDiffering == 0, "\(kind): \(chainDiffering) of \(compared / 2) outputs of TFLM's chain differ from the interpreter")
        // Not a vacuous pass: outputs spread over int8 and differ from the inputs.
        #expect(distinct.count > 100 && changed > compared / 8, "\(kind): \(distinct.count) distinct outputs, \(changed) of \(compared / 2) changed")
        print("int8 grid \(kind): \(blocks) blocks, \(compared / 2) outputs, \(differing) differing, \(distinct.count) distinct, \(changed) changed")
        #expect(differing == 0, "\(kind): \(differing) of \(compared) outputs differ from the interpreter")
    }
}
