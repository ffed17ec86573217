// `attn-gen import-tflite MODEL.tflite -o DIR`: int8 kernels for the attention blocks of a fully
// int8-quantised TFLite model, bit-exact with TensorFlow Lite Micro, and DIR/manifest.json.

import ArgumentParser
import AttnGen
import AttnTFLite
import Foundation

struct ImportTFLite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-tflite",
        abstract: "Generate int8 C kernels, bit-exact with TFLite Micro, for the SE and ECA blocks of a .tflite model.",
        discussion: """
            Recognises MEAN -> CONV_2D 1x1 -> CONV_2D 1x1 -> LOGISTIC -> MUL (SE) and Keras MobileNetV3's \
            hard-sigmoid SE (the expand conv with ReLU6, then MUL by 1/6) and ECA (MEAN -> CONV_2D [1,1,k,1] \
            along C -> LOGISTIC -> MUL, through RESHAPE/SQUEEZE/EXPAND_DIMS) in subgraph 0. Writes <name>.h and \
            <name>.c per block and manifest.json (each kernel's name, kind, operator indices, input and output \
            tensors; attention-like patterns not recognised, with why).
            """)

    @Argument(help: "The .tflite model (fully int8-quantised).")
    var model: String

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    /// Models larger than this are refused before reading (TFLM targets hold a few MB at most).
    static let maxModelBytes = 512 << 20

    func run() throws {
        do {
            let url = URL(fileURLWithPath: model)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
            guard let size, size <= Self.maxModelBytes, let data = FileManager.default.contents(atPath: url.path) else {
                throw TFLiteError(.fileUnreadable, model, "not a readable file of at most \(Self.maxModelBytes >> 20) MiB")
            }
            let result = try TFLiteImport(bytes: Array(data), modelName: url.lastPathComponent)
            try OutputWriter.write(result.files, to: URL(fileURLWithPath: output, isDirectory: true))
            for k in result.kernels {
                print("\(k.name): \(k.recognised.kind), operators \(k.recognised.operators), tensor \(k.recognised.inputTensor) -> \(k.recognised.outputTensor)")
            }
            for u in result.unrecognised {
                print("not recognised: operators \(u.operators): \(u.why)")
            }
        } catch {
            throw fail(error)
        }
    }
}
