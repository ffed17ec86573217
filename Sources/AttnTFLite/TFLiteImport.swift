// `attn-gen import-tflite`: model bytes in, the kernels' C files and manifest.json out, all in
// memory (the command line writes them as one unit).

import Foundation

/// The result of importing one model: a kernel per recognised block, and the manifest.
package struct TFLiteImport: Sendable {
    /// One generated kernel.
    package struct Kernel: Sendable {
        /// C identifier prefix of its files and function (`se0`, `se_hard_sigmoid1`, ...).
        package let name: String
        /// The recognised block.
        package let recognised: RecognisedBlock
        /// `<name>.h` and `<name>.c`.
        package let files: [(name: String, contents: String)]
        /// `<name>_tflm.h` and `<name>_tflm.c`: the same block as TFLM's reference op chain, the
        /// baseline `attn-bench --mcu --tflite` counts the fused kernel against (not written by the
        /// CLI); empty when the block has no chain (`tflmChainExclusion` says why).
        package let tflmChain: [(name: String, contents: String)]
        /// The chain's arena: its intermediate tensors, each in a buffer of its own.
        package let tflmArenaBytes: Int
        /// Bytes of scratch the fused kernel takes.
        package var scratchBytes: Int { Int8Emitter.scratchBytes(recognised.block) }
        /// Why the block has no TFLM chain to compare against, nil when it has one.
        package var tflmChainExclusion: String? { TFLMChainEmitter.exclusion(recognised) }
    }

    /// The kernels, in operator order.
    package let kernels: [Kernel]
    /// Attention-like patterns left alone, with why.
    package let unrecognised: [UnrecognisedPattern]
    /// The manifest's text.
    package let manifest: String

    /// Every file to write: each kernel's two, then manifest.json.
    package var files: [(name: String, contents: String)] {
        kernels.flatMap(\.files) + [("manifest.json", manifest)]
    }

    /// Reads `bytes` (a .tflite model; `modelName` is its file name, for comments and the
    /// manifest) and generates a kernel per recognised block.
    package init(bytes: [UInt8], modelName: String) throws(TFLiteError) {
        self.init(model: try TFLiteReader.read(bytes), modelName: modelName)
    }

    /// Generates a kernel per recognised block of a model already read (or built in memory).
    package init(model: TFLiteModel, modelName: String) {
        let (blocks, unrecognised) = SEMatcher(model).run()
        var kernels: [Kernel] = []
        for (i, block) in blocks.enumerated() {
            let name = "\(block.kind)\(i)"
            let range = block.operators.map(String.init).joined(separator: ", ")
            let origin = "\(cCommentSafe(modelName)), subgraph 0, operators \(range): tensor \(block.inputTensor) -> tensor \(block.outputTensor)"
            kernels.append(Kernel(name: name, recognised: block, files: Int8Emitter.files(block.block, name: name, origin: origin),
                tflmChain: TFLMChainEmitter.files(block, model: model, name: name),
                tflmArenaBytes: TFLMChainEmitter.forward(block, model: model, name: name).2))
        }
        self.kernels = kernels
        self.unrecognised = unrecognised
        self.manifest = Self.manifest(kernels, unrecognised, modelName: modelName)
    }

    /// Marker every manifest starts with, so a later run knows it may replace the file.
    package static let manifestMarker = "{\n  \"generated_by\": \"attn-gen import-tflite\""

    static func manifest(_ kernels: [Kernel], _ unrecognised: [UnrecognisedPattern], modelName: String) -> String {
        func block(_ lines: [String]) -> String { lines.isEmpty ? "[]" : "[\n\(lines.joined(separator: ",\n"))\n  ]" }
        func list(_ values: [Int]) -> String { "[" + values.map(String.init).joined(separator: ", ") + "]" }
        let entries = kernels.map { k in
            let b = k.recognised.block
            return """
                    {"name": \(jsonString(k.name)), "kind": \(jsonString(k.recognised.kind)), "operators": \(list(k.recognised.operators)), \
                "input_tensor": \(k.recognised.inputTensor), "output_tensor": \(k.recognised.outputTensor), \
                "shape_nhwc": \(list([b.batch, b.height, b.width, b.channels])), "scratch_bytes": \(Int8Emitter.scratchBytes(b)), \
                "header": \(jsonString(k.name + ".h")), "source": \(jsonString(k.name + ".c"))}
                """
        }
        let skipped = unrecognised.map { u in
            "    {\"operators\": \(list(u.operators)), \"why\": \(jsonString(u.why))}"
        }
        return manifestMarker + ",\n  \"model\": \(jsonString(modelName)),\n  \"subgraph\": 0,\n"
            + "  \"kernels\": \(block(entries)),\n  \"unrecognised\": \(block(skipped))\n}\n"
    }
}

/// A JSON string literal.
func jsonString(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
        switch u {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case _ where u.value < 0x20 || u.value == 0x7F: out += String(format: "\\u%04x", u.value)
        default: out.unicodeScalars.append(u)
        }
    }
    return out + "\""
}

/// `s` with nothing that could end a C comment or a line.
func cCommentSafe(_ s: String) -> String {
    String(String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : $0 }))
        .replacingOccurrences(of: "*/", with: "*?")
}
