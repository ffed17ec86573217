import AttnJIT
import AttnNative
import Foundation
import Testing
@testable import AttnTFLite

/// Every recognised block of every fixture model, against the outputs TensorFlow Lite Micro
/// computed for the committed int8 inputs (scripts/make_tflite_fixtures.py): the Swift model of
/// the kernel, the C compiled by gcc, and the same C in the libtcc JIT. Blocks of one model run
/// one after another, each on the previous one's output, so the model's output is the check.
@Suite struct Int8BitExactTests {
    typealias Forward = @convention(c) (UnsafePointer<Int8>?, UnsafeMutablePointer<Int8>?, UnsafeMutableRawPointer?) -> Void

    /// A fixture model imported, with its samples.
    struct Case {
        let name: String
        let result: TFLiteImport
        let inputs: [[Int8]]
        let outputs: [[Int8]]
    }

    /// The fixture models that hold recognised blocks.
    static func cases() throws -> [Case] {
        try Fixtures.models().filter { !$0.blocks.isEmpty }.map { m in
            let imported = try TFLiteImport(bytes: try Fixtures.bytes("\(m.name).tflite"), modelName: "\(m.name).tflite")
            let size = m.input_shape.reduce(1, *)
            func split(_ file: String) throws -> [[Int8]] {
                let bytes = try Fixtures.bytes(file).map { Int8(bitPattern: $0) }
                return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<($0 + size)]) }
            }
            return Case(name: m.name, result: imported, inputs: try split("\(m.name).input.bin"), outputs: try split("\(m.name).output.bin"))
        }
    }

    /// Runs the model's kernels in order on each input with `forward(kernel index, x) -> y` and
    /// counts outputs differing from TFLM's.
    static func differing(_ c: Case, _ forward: (Int, [Int8]) throws -> [Int8]) rethrows -> Int {
        var count = 0
        for (x, expected) in zip(c.inputs, c.outputs) {
            var y = x
            for k in c.result.kernels.indices { y = try forward(k, y) }
            count += zip(y, expected).filter { $0 != $1 }.count
        }
        return count
    }

    @Test func everyFixtureBlockIsRecognisedAndChained() throws {
        for m in try Fixtures.models() {
            let imported = try TFLiteImport(bytes: try Fixtures.bytes("\(m.name).tflite"), modelName: m.name)
            let model = try TFLiteReader.read(try Fixtures.bytes("\(m.name).tflite"))
            #expect(imported.kernels.map(\.recognised.kind) == m.blocks, "\(m.name)")
            guard !m.blocks.isEmpty else { continue }
            #expect(imported.unrecognised.isEmpty, "\(m.name): \(imported.unrecognised)")
            // The kernels cover the model: first input to last output, each feeding the next.
            let tensors = imported.kernels.flatMap { [$0.recognised.inputTensor, $0.recognised.outputTensor] }
            #expect(tensors.first == model.inputs[0] && tensors.last == model.outputs[0], "\(m.name)")
            for k in 1..<imported.kernels.count {
                #expect(imported.kernels[k].recognised.inputTensor == imported.kernels[k - 1].recognised.outputTensor)
            }
            #expect(Set(imported.kernels.flatMap(\.recognised.operators)) == Set(model.operators.indices), "\(m.name)")
        }
    }

    @Test func swiftModelMatchesTFLM() throws {
        for c in try Self.cases() {
            #expect(Self.differing(c) { k, x in c.result.kernels[k].recognised.block(x) } == 0, "\(c.name)")
        }
    }

    /// CBAM: one kernel over all 17 operators (QUANTIZEs and CONCATENATION included); a CBAM whose
    /// CONCATENATION is along another axis is listed with the step that broke, and its pools over C
    /// are not listed again on their own.
    @Test func cbamIsRecognisedWholeOrExplained() throws {
        let bytes = try Fixtures.bytes("cbam_c16_6x6.tflite")
        let imported = try TFLiteImport(bytes: bytes, modelName: "cbam_c16_6x6.tflite")
        #expect(imported.kernels.map(\.recognised.operators) == [Array(0...16)])
        #expect(imported.manifest.contains("\"kind\": \"cbam\""))
        // The shared MLP's weights are baked in once; the max branch has only its own requantisation.
        let source = try #require(imported.kernels.first?.files[1].contents)
        #expect(source.contains("static const int8_t cbam0_avg_reduce_weight[") && !source.contains("cbam0_max_reduce_weight"))
        #expect(source.contains("static const int8_t cbam0_avg_expand_weight[") && !source.contains("cbam0_max_expand_weight"))
        #expect(source.contains("static const int32_t cbam0_max_reduce_multiplier["))
        let model = try TFLiteReader.read(bytes)
        let concat = try #require(model.operators.firstIndex { $0.opcode == BuiltinOp.concatenation })
        var operators = model.operators
        let op = operators[concat]
        operators[concat] = TFLiteOperator(
            opcode: op.opcode, customCode: nil, inputs: op.inputs, outputs: op.outputs, options: .concatenation(axis: 1, activation: .none))
        let broken = TFLiteModel(tensors: model.tensors, operators: operators, inputs: model.inputs, outputs: model.outputs, buffers: model.buffers)
        let (blocks, unrecognised) = SEMatcher(broken).run()
        #expect(blocks.isEmpty)
        #expect(unrecognised.count == 1, "\(unrecognised)")
        #expect(unrecognised.first?.why.contains("not a CONCATENATION of them along C") == true, "\(unrecognised)")
    }
}
