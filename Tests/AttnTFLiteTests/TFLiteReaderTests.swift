import Testing
@testable import AttnTFLite

/// The model reader on the committed fixtures (what the schema says they hold) and on files
/// broken in each way the reader names.
@Suite struct TFLiteReaderTests {
    @Test func readsTheSEFixture() throws {
        let model = try TFLiteReader.read(try Fixtures.bytes("se_c16_5x5.tflite"))
        #expect(model.inputs == [0])
        #expect(model.operators.map(\.opcode) == [BuiltinOp.mean, BuiltinOp.conv2D, BuiltinOp.conv2D, BuiltinOp.logistic, BuiltinOp.mul])
        let input = model.tensors[model.inputs[0]]
        #expect(input.shape == [1, 5, 5, 16])
        #expect(input.type == .int8)
        #expect(input.quantization?.scales.count == 1)
        let conv = model.operators[1]
        #expect(conv.options == .conv2D(padding: 0, strideW: 1, strideH: 1, activation: .relu, dilationW: 1, dilationH: 1))
        let weight = model.tensors[conv.inputs[1]]
        #expect(weight.shape == [4, 1, 1, 16])
        #expect(weight.quantization?.scales.count == 4)
        #expect(model.data(conv.inputs[1]).count == 64)
        #expect(model.tensors[conv.inputs[2]].type == .int32)
        #expect(model.data(conv.inputs[2]).count == 16)
        #expect(model.operators[0].options == .reducer(keepDims: true))
        #expect(model.operators[4].options == .arithmetic(activation: .none))
    }

    @Test func readsEveryFixture() throws {
        for m in try Fixtures.models() {
            let model = try TFLiteReader.read(try Fixtures.bytes("\(m.name).tflite"))
            #expect(model.tensors[model.inputs[0]].shape == m.input_shape, "\(m.name)")
            #expect(model.tensors[model.outputs[0]].shape == m.output_shape, "\(m.name)")
        }
    }

    @Test func refusals() throws {
        let good = try Fixtures.bytes("se_c16_5x5.tflite")
        #expect(throws: TFLiteError(.outOfBounds, "model", "8 byte(s) at offset 0 run past the end of the 3-byte file")) {
            try TFLiteReader.read([1, 2, 3])
        }
        var wrongID = good
        wrongID[4] = UInt8(ascii: "X")
        #expect { try TFLiteReader.read(wrongID) } throws: { ($0 as? TFLiteError)?.rule == .notTFLite }
        // A root offset past the end.
        var root = good
        root[0] = 0xFF
        root[1] = 0xFF
        root[2] = 0xFF
        #expect { try TFLiteReader.read(root) } throws: { ($0 as? TFLiteError)?.rule == .outOfBounds }
        // Every truncation is refused with a rule (never accepted: the tensors' data sits at the end).
        for cut in stride(from: 0, to: good.count, by: 7) {
            #expect(throws: TFLiteError.self) { try TFLiteReader.read(Array(good.prefix(cut))) }
        }
    }
}
