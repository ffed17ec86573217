// The header scripts/embedded/int8_check.c is built with for one imported model: its committed
// samples and TFLM's outputs as const tables, and the kernels to run in order, either the fused
// ones or the TFLM reference chains. The test that holds the kernels to TFLM on the Cortex-M4F
// and `attn-bench --mcu --tflite` both build the harness from it.

/// Which kernels the harness runs.
package enum Int8DeviceVariant: String, CaseIterable, Sendable {
    /// What import-tflite writes.
    case fused
    /// TFLM's reference op chain (TFLMChainEmitter).
    case tflmChain = "tflm"
}

package enum Int8DeviceCase {
    /// The kernel files of `variant` and `int8_case.h`. Every sample is one model input, and
    /// `expected` TFLM's output for it (the blocks keep the shape, so both are `size` long).
    /// Why `variant` cannot run on `model`: the chain of a block that has none (the fused kernels
    /// always run). nil when it can.
    package static func exclusion(_ model: TFLiteImport, _ variant: Int8DeviceVariant) -> String? {
        switch variant {
        case .fused: nil
        case .tflmChain: model.kernels.lazy.compactMap { k in k.tflmChainExclusion.map { "\(k.name): \($0)" } }.first
        }
    }

    /// The harness for `variant` (which `exclusion` must not refuse).
    package static func files(_ model: TFLiteImport, _ variant: Int8DeviceVariant, inputs: [[Int8]], expected: [[Int8]])
        -> [(name: String, contents: String)]
    {
        let kernels = model.kernels.map { k in
            variant == .fused
                ? Kernel(files: k.files, forward: "\(k.name)_forward", workBytes: k.scratchBytes)
                : Kernel(files: k.tflmChain, forward: "\(k.name)_tflm_forward", workBytes: k.tflmArenaBytes)
        }
        return files(kernels, label: variant.rawValue, inputs: inputs, expected: expected)
    }

    /// One kernel for the harness: its `.h` then `.c`, its function, its scratch or arena.
    package struct Kernel {
        package let files: [(name: String, contents: String)]
        package let forward: String
        package let workBytes: Int

        package init(files: [(name: String, contents: String)], forward: String, workBytes: Int) {
            self.files = files
            self.forward = forward
            self.workBytes = workBytes
        }
    }

    /// The harness files for `kernels` run in order on each input.
    package static func files(_ kernels: [Kernel], label: String, inputs: [[Int8]], expected: [[Int8]]) -> [(name: String, contents: String)] {
        let size = inputs.first?.count ?? 0
        let work = kernels.map(\.workBytes).max() ?? 0
        func table(_ name: String, _ rows: [[Int8]]) -> String {
            let values = rows.flatMap { $0 }
            var lines: [String] = []
            for start in stride(from: 0, to: values.count, by: 24) {
                lines.append("    " + values[start..<min(start + 24, values.count)].map(String.init).joined(separator: ", ") + ",")
            }
            return "static const int8_t \(name)[\(max(values.count, 1))] = {\n\(lines.joined(separator: "\n"))\n};\n"
        }
        var header = "/* Generated for scripts/embedded/int8_check.c: \(label) kernels. */\n"
        header += kernels.map { "#include \"\($0.files[0].name)\"\n" }.joined()
        header += "#define INT8_KERNELS \(kernels.count)\n#define INT8_SAMPLES \(inputs.count)\n#define INT8_SIZE \(size)\n"
        header += "#define INT8_WORK_BYTES \(work)\n"
        header += table("int8_inputs", inputs) + table("int8_expected", expected)
        header += "typedef void (*int8_forward)(const int8_t *, int8_t *, void *);\n"
        header += "static int8_forward const int8_kernels[\(kernels.count)] = {\(kernels.map(\.forward).joined(separator: ", "))};\n"
        return kernels.flatMap(\.files) + [("int8_case.h", header)]
    }
}

/// What the harness printed: the outputs differing from TFLM's, and per kernel the instructions of
/// one call (ticks over the calibrated ticks per instruction, the empty interval subtracted) and
/// the bytes of stack it wrote.
package struct Int8DeviceRun: Sendable, Equatable {
    package let differing: Int
    package let compared: Int
    package let instructions: [Double]
    package let stackBytes: [Int]

    /// Reads the `ATTN-INT8` line out of the device's output; nil when there is none or it is cut.
    package init?(output: String, kernels: Int) {
        guard let line = output.split(separator: "\n").first(where: { $0.hasPrefix("ATTN-INT8 ") }) else { return nil }
        let f = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard f.count == 5 + 2 * kernels else { return nil }
        let ticksPerInstruction = (f[4] - f[3]) / Double(1 << 17)
        guard ticksPerInstruction > 0 else { return nil }
        differing = Int(f[0])
        compared = Int(f[1])
        instructions = (0..<kernels).map { ((f[5 + 2 * $0] - f[2]) / ticksPerInstruction).rounded() }
        stackBytes = (0..<kernels).map { Int(f[6 + 2 * $0]) }
    }
}
