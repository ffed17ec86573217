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

    /// The fixture models that hold recognised blocks (the CBAM one holds none yet).
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

    /// CBAM is not recognised yet: each of its four pools is listed with the reason.
    @Test func cbamIsListedAsUnrecognisedWithReasons() throws {
        let imported = try TFLiteImport(bytes: try Fixtures.bytes("cbam_c16_6x6.tflite"), modelName: "cbam_c16_6x6.tflite")
        #expect(imported.kernels.isEmpty)
        #expect(imported.unrecognised.map(\.operators) == [[0, 2, 3, 6], [1], [9], [10]])
        #expect(imported.unrecognised[0].why.contains("feeds ADD"))
        #expect(imported.unrecognised[1].why.contains("REDUCE_MAX over H and W"))
        #expect(imported.unrecognised[2].why.contains("MEAN over C"))
        #expect(imported.manifest.contains("\"unrecognised\": [\n    {\"operators\": [0, 2, 3, 6]"))
    }
}
