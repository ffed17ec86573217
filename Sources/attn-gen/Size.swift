// `attn-gen size SPEC.json [--max-ram BYTES] [--max-flash BYTES]`: flash and RAM of each block
// from the spec alone, before any compiler runs; a budget overrun is an error. A `.tflite`
// argument reports the int8 kernels `import-tflite` would write for it.

import ArgumentParser
import AttnGen
import AttnFootprint
import AttnTFLite
import Foundation

struct Size: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print each block's flash (weights + code estimate) and RAM (I/O + scratch) on a Cortex-M.",
        discussion: """
            RAM is input + output + scratch (one tensor + scratch when the header allows the output to \
            alias the input). Flash is the weights (exact) plus a code estimate fitted against \
            arm-none-eabi-gcc -O2 (\(CodeSizeModel.toleranceText) on the calibration corpus). \
            Sizes take K (1024) and M (1024²) suffixes: 64K, 1.5M. A .tflite model gives its int8 kernels \
            (as import-tflite writes them): RAM is the int8 tensor + scratch + a stack bound, flash the \
            constant tables (exact) + the code estimate.
            """)

    @Argument(help: "Spec JSON file(s): one block, or {\"blocks\": [...]}; or .tflite models (their int8 kernels).")
    var specs: [String]

    @OptionGroup var weightsOptions: WeightsFlags

    @Option(help: "Fail (exit 1) when a block needs more RAM than this, e.g. 64K.")
    var maxRam: String?

    @Option(help: "Fail (exit 1) when a block needs more flash than this, e.g. 512K.")
    var maxFlash: String?

    @Option(help: "Core the code estimate is for: cortex-m0plus, cortex-m4f or cortex-m7.")
    var cpu = "cortex-m4f"

    @Flag(help: "Also print what TFLite Micro's arena and onnx2c's buffers would need for the same block.")
    var compare = false

    func validate() throws {
        for (flag, value) in [("--max-ram", maxRam), ("--max-flash", maxFlash)] {
            if let value, ByteCount.parse(value) == nil {
                throw ValidationError("\(flag): \"\(value)\" is not a byte count (examples: 65536, 64K, 1.5M)")
            }
        }
        if CodeSizeModel.named(cpu) == nil {
            throw ValidationError("--cpu: unknown core \"\(cpu)\" (known: cortex-m0plus, cortex-m4f, cortex-m7)")
        }
    }

    func run() throws {
        let model = CodeSizeModel.named(cpu)!
        let budget = Budget(
            maxRAM: maxRam.flatMap(ByteCount.parse), maxFlash: maxFlash.flatMap(ByteCount.parse), ramText: maxRam,
            flashText: maxFlash)
        var overruns: [String] = []
        var first = true
        let files = WeightsFileCache()
        do {
            for spec in specs {
                if spec.hasSuffix(".tflite") {
                    for k in try ImportTFLite.load(spec).kernels {
                        guard let f = Int8Footprint(name: k.name, header: k.files[0].contents, source: k.files[1].contents, model: model) else {
                            throw TFLiteError(.unsupported, spec, "kernel \(k.name): its header lacks the int8 ABI's size macros")
                        }
                        if !first { print() }
                        first = false
                        let b = k.recognised.block
                        print(Self.table(f, kind: k.recognised.kind, shape: [b.batch, b.height, b.width, b.channels]))
                        overruns += budget.overruns(f)
                    }
                    continue
                }
                let base = URL(fileURLWithPath: spec).deletingLastPathComponent()
                for block in try weightsOptions.options.apply(to: Pipeline.loadBlocks(path: spec)) {
                    let generated = try Pipeline.generate(block, baseDirectory: base, files: files)
                    let f = Footprint(program: generated.program, source: generated.source, model: model)
                    if !first { print() }
                    first = false
                    print(Self.table(f, program: generated.program, peers: compare ? PeerEstimates(generated.program) : nil))
                    overruns += budget.overruns(f)
                }
            }
        } catch {
            throw fail(error)
        }
        guard overruns.isEmpty else {
            for o in overruns { FileHandle.standardError.write(Data("error: \(o)\n".utf8)) }
            throw ExitCode.failure
        }
    }

    /// The lines of an int8 kernel.
    static func table(_ f: Int8Footprint, kind: String, shape: [Int]) -> String {
        let g = ByteCount.grouped
        let width = [f.ramBytes, f.flashBytes].map { g($0).count }.max()!
        func row(_ label: String, _ bytes: Int, _ detail: String) -> String {
            let number = String(repeating: " ", count: width - g(bytes).count) + g(bytes)
            return "  " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + number + " B  "
                + "(\(ByteCount.human(bytes)))".padding(toLength: 12, withPad: " ", startingAt: 0) + detail
        }
        let io = f.outputMayAliasInput ? "one tensor \(g(f.ioBytes)) (output aliases input)" : "input \(g(f.inputBytes)) + output \(g(f.outputBytes))"
        return [
            "\(f.name)  int8 \(kind) \(shape) NHWC  [\(f.model.core), \(f.model.flags)]",
            row("RAM", f.ramBytes, "= \(io) + scratch \(g(f.scratchBytes)) + stack ≤ \(Int8Footprint.stackBytes)"),
            row("flash", f.flashBytes, "= constants \(g(f.constantBytes)) + code ~\(g(f.codeBytes)) (\(CodeSizeModel.toleranceText))"),
        ].joined(separator: "\n")
    }

    /// A few aligned lines per block.
    static func table(_ f: Footprint, program: Program, peers: PeerEstimates?) -> String {
        let g = ByteCount.grouped
        let width = [f.ramBytes, f.flashBytes, peers?.tflmArenaBytes ?? 0, peers?.onnx2cNoReuseRAMBytes ?? 0]
            .map { g($0).count }.max()!
        func row(_ label: String, _ bytes: Int, _ detail: String) -> String {
            let number = String(repeating: " ", count: width - g(bytes).count) + g(bytes)
            let human = "(\(ByteCount.human(bytes)))"
            return "  " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + number + " B  "
                + human.padding(toLength: 12, withPad: " ", startingAt: 0) + detail
        }
        let io = f.outputMayAliasInput
            ? "one tensor \(g(f.ioBytes)) (output aliases input)"
            : "input \(g(f.inputBytes)) + output \(g(f.outputBytes))"
        var constants = ""
        if f.constantBytes > 0 { constants = " + constants \(g(f.constantBytes))" }
        var lines = [
            "\(f.name)  \(program.input) -> \(program.outputShape)  [\(f.model.core), \(f.model.flags)]",
            row("RAM", f.ramBytes, "= \(io) + scratch \(g(f.scratchBytes))"),
            row("flash", f.flashBytes, "= weights \(g(f.weightBytes))\(constants) + code ~\(g(f.codeBytes)) (\(CodeSizeModel.toleranceText))"),
        ]
        if let p = peers {
            lines.append(
                row("TFLM arena", p.tflmArenaBytes,
                    "≥ live activations \(g(p.tflmHeadBytes)) + \(p.tflmTensors) tensors × \(PeerEstimates.tflmEvalTensorBytes) + \(p.tflmOps) ops × \(PeerEstimates.tflmNodeBytes)"))
            lines.append(
                row("onnx2c RAM", p.onnx2cRAMBytes, "= I/O \(g(p.onnx2cIOBytes)) + unionized intermediates \(g(p.onnx2cUnionBytes))"))
            lines.append(
                row("  -p none", p.onnx2cNoReuseRAMBytes, "= I/O \(g(p.onnx2cIOBytes)) + one buffer per intermediate \(g(p.onnx2cStaticBytes))"))
        }
        return lines.joined(separator: "\n")
    }
}
