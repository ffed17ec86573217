import Foundation
import Testing
@testable import AttnTFLite

/// The HARD_SWISH table against TensorFlow Lite Micro itself: models holding one HARD_SWISH over
/// 256 values (scripts/make_tflite_fixtures.py), whose first sample holds every int8 input once,
/// at input scales whose relu-ish exponents run from negative to large.
@Suite struct Int8HardSwishTests {
    @Test func tableMatchesTFLMAtEveryInput() throws {
        let models = try Fixtures.models().filter { $0.name.hasPrefix("hard_swish_op_") }
        #expect(models.count >= 4)
        var exponents = Set<Int>()
        for m in models {
            let model = try TFLiteReader.read(try Fixtures.bytes("\(m.name).tflite"))
            let op = try #require(model.operators.first { $0.opcode == BuiltinOp.hardSwish })
            let input = try #require(model.tensors[op.inputs[0]].quantization)
            let output = try #require(model.tensors[op.outputs[0]].quantization)
            let hardSwish = try #require(Int8HardSwish(
                inputScale: input.scales[0], inputZeroPoint: Int32(input.zeroPoints[0]),
                outputScale: output.scales[0], outputZeroPoint: Int32(output.zeroPoints[0])))
            exponents.insert(hardSwish.reluishExponent)
            let xs = try Fixtures.bytes("\(m.name).input.bin").map { Int8(bitPattern: $0) }
            let ys = try Fixtures.bytes("\(m.name).output.bin").map { Int8(bitPattern: $0) }
            #expect(Set(xs.prefix(256)).count == 256, "\(m.name): sample 0 does not hold every int8 value")
            let table = hardSwish.table
            let differing = zip(xs, ys).filter { x, y in table[Int(x) + 128] != y }.count
            #expect(differing == 0, "\(m.name): \(differing) of \(xs.count) outputs differ from TFLM")
        }
        #expect(exponents.contains { $0 < 0 } && exponents.contains { $0 > 1 }, "relu-ish exponents \(exponents)")
    }
}
