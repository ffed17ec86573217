// `attn-gen import-tflite MODEL.tflite -o DIR`: int8 kernels for the attention blocks of a fully
// int8-quantised TFLite model, bit-exact with TensorFlow Lite Micro, and DIR/manifest.json.

import ArgumentParser
import AttnGen
import AttnTFLite
import Foundation

struct ImportTFLite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-tflite",
        abstract: "Generate int8 C kernels, bit-exact with TFLite Micro, for the SE, ECA and CBAM blocks of a .tflite model.",
        discussion: """
            Recognises MEAN -> CONV_2D 1x1 -> CONV_2D 1x1 -> LOGISTIC -> MUL (SE; a HARD_SWISH may sit between \
            the convs), Keras MobileNetV3's hard-sigmoid SE (the expand conv with ReLU6, then MUL by 1/6), ECA \
            (MEAN -> CONV_2D [1,1,k,1] along C -> LOGISTIC -> MUL, through RESHAPE/SQUEEZE/EXPAND_DIMS) and CBAM \
            (MEAN and REDUCE_MAX over H, W -> shared 1x1 MLP -> ADD -> LOGISTIC -> MUL; MEAN and REDUCE_MAX over C \
            -> QUANTIZE -> CONCATENATION -> CONV_2D kxk -> LOGISTIC -> MUL) in subgraph 0, batch N >= 1 (ECA: 1). \
            Writes <name>.h and \
            <name>.c per block and manifest.json (each kernel's name, kind, operator indices, input and output \
            tensors; attention-like patterns not recognised, with why).
            """)

    @Argument(help: "The .tflite model (fully int8-quantised).")
    var model: String

    @Option(name: .shortAndLong, help: "Output folder.")
    var output: String

    /// Models larger than this are refused before reading (TFLM targets hold a few MB at most).
    static let maxModelBytes = 512 << 20

    /// The kernels of the model file at `path`, in memory.
    static func load(_ path: String) throws(TFLiteError) -> TFLiteImport {
        let url = URL(fileURLWithPath: path)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? nil
        guard let size, size <= Self.maxModelBytes, let data = FileManager.default.contents(atPath: url.path) else {
            throw TFLiteError(.fileUnreadable, path, "not a readable file of at most \(Self.maxModelBytes >> 20) MiB")
        }
        return try TFLiteImport(bytes: Array(data), modelName: url.lastPathComponent)
    }

    func run() throws {
        do {
            let result = try Self.load(model)
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
