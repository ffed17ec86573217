// `attn-bench --mcu`: instructions per block on Cortex-M0, M3, M4F, M7 and M55 under QEMU,
// fused against the same block run op by op (`Fusion.opByOp`: one loop nest per op, every value
// stored, as per-op reference kernels run it). QEMU's `-icount` makes the count independent of
// the host: scripts/embedded/count.c turns SysTick ticks into instructions with a calibration
// loop in the same run. Instructions are not cycles; they are what a host-independent count can
// give, and they rank the code the same way on these in-order cores.

import AttnGen
import Foundation

/// One block at its MCU shape.
struct MCUCase {
    let name: String
    let spec: BlockSpec
    let program: Program
}

/// What one build and run gave.
enum MCUOutcome: Sendable {
    case instructions(Double)
    /// The block's code or data exceeds the board (the linker says which region).
    case doesNotFit(String)
    case failed(String)

    var count: Double? {
        if case .instructions(let n) = self { return n }
        return nil
    }
}

enum MCUBench {
    /// QEMU's `-icount` shift: 2^6 ns of virtual time per instruction, so a 16–32 MHz SysTick
    /// ticks at least once per instruction and the calibration resolves single instructions.
    static let icountShift = 6
    /// Channels and plane of a block at the MCU shape: sizes a Cortex-M4 network's attention
    /// blocks run at, small enough for the M0 board's 16 KiB of RAM to hold the smaller blocks.
    static let maxChannels = 32
    static let maxSide = 8

    /// Every Generated/ example at the MCU shape, with `libm: false` (what a device build uses;
    /// both variants then call the same `attn_expf`). A kind whose rules refuse the smaller shape
    /// keeps its own channels, then its own plane; if all fail, it is reported and left out.
    static func cases(root: URL, only: [String]) throws -> (cases: [MCUCase], skipped: [String]) {
        var cases: [MCUCase] = []
        var skipped: [String] = []
        for example in try Example.loadAll(root: root) where only.isEmpty || only.contains(example.kind) || only.contains(example.name) {
            let s = example.spec.input
            var made: MCUCase?
            var why = ""
            let small = InputShape.nchw(1, min(s.c, maxChannels), min(s.h, maxSide), min(s.w, maxSide))
            for shape in [small, .nchw(1, s.c, small.h, small.w), .nchw(1, small.c, s.h, s.w)] {
                var spec = example.spec.at(shape)
                spec.libm = false
                do {
                    made = MCUCase(name: example.name, spec: spec, program: try Pipeline.generate(spec).program)
                    break
                } catch {
                    why = "\(error)"
                }
            }
            if let made { cases.append(made) } else { skipped.append("\(example.name): \(why)") }
        }
        return (cases, skipped)
    }

    /// Builds `c` for `core` as `fusion` says and counts the instructions of one forward call.
    static func count(_ c: MCUCase, core: Core, fusion: Fusion, root: URL) -> MCUOutcome {
        let scripts = root.appendingPathComponent("scripts/embedded")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("attn-mcu-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let generated = try Pipeline.generate(c.spec, target: .mcu, fusion: fusion)
            for file in generated.source.files {
                try file.contents.write(to: dir.appendingPathComponent(file.name), atomically: true, encoding: .utf8)
            }
            let name = generated.program.name
            // The weights as a device has them: a const table in flash.
            let params = generated.program.randomParams(seed: 1)
            var table = "const float attn_count_params[\(max(1, params.count))] = {\n"
            table += params.map { "\($0.bitPattern == 0 ? "0" : "\($0)")f" }.joined(separator: ",\n") + "\n};\n"
            try table.write(to: dir.appendingPathComponent("params.c"), atomically: true, encoding: .utf8)
            let elf = dir.appendingPathComponent("block.elf").path
            let build = try Command.run(
                "arm-none-eabi-gcc",
                ["-mthumb"] + core.cflags + [
                    "-std=c99", "--specs=rdimon.specs", "-T", scripts.appendingPathComponent(core.linkerScript).path,
                    "-I", dir.path, "-DATTN_HEADER=\"\(name).h\"", "-DATTN_NAME=\(name)", "-DATTN_MACRO=\(name.uppercased())",
                    "-DATTN_CONST_PARAMS=attn_count_params", dir.appendingPathComponent("params.c").path,
                    scripts.appendingPathComponent("count.c").path, scripts.appendingPathComponent("startup.c").path,
                    dir.appendingPathComponent("\(name).c").path, "-o", elf, "-lm",
                ], timeout: 300)
            if build.status != 0 {
                if build.output.contains("overflow") {
                    // What the block itself needs: its I/O (one buffer when it may run in place) and scratch.
                    let p = generated.program
                    let inPlace = generated.source.header.contains("_OUTPUT_MAY_ALIAS_INPUT 1")
                    let io = inPlace ? max(p.input.count, p.outputShape.count) : p.input.count + p.outputShape.count
                    let kib = Double(4 * (io + generated.source.embeddedScratchSize)) / 1024
                    return .doesNotFit(String(format: "its I/O and scratch take %.1f KiB of RAM", kib))
                }
                return .failed("build: \(build.output.prefix(400))")
            }
            let run = try Command.run(
                "qemu-system-arm",
                ["-M", core.machine, "-nographic", "-monitor", "none", "-semihosting",
                 "-icount", "shift=\(icountShift),align=off,sleep=off", "-kernel", elf], timeout: 600)
            guard let line = run.output.split(separator: "\n").first(where: { $0.hasPrefix("ATTN-COUNT ") }) else {
                return .failed(run.timedOut ? "QEMU timed out" : "QEMU (status \(run.status)): \(run.output.suffix(300))")
            }
            let f = line.split(separator: " ").dropFirst().compactMap { Double($0) }
            guard f.count == 5 else { return .failed("unreadable: \(line)") }
            guard f[4] == 0 else { return .failed("\(Int(f[4])) outputs not finite") }
            // Ticks per instruction: the 2^17 instructions the longer loop adds.
            let ticksPerInstruction = (f[3] - f[2]) / Double(1 << 17)
            guard ticksPerInstruction > 0 else { return .failed("calibration gave \(ticksPerInstruction) ticks per instruction") }
            return .instructions(((f[0] - f[1]) / ticksPerInstruction).rounded())
        } catch {
            return .failed("\(error)")
        }
    }
}

extension BlockSpec {
    func at(_ shape: InputShape) -> BlockSpec {
        var s = self
        s.input = shape
        return s
    }
}

extension Program {
    /// Multiply-accumulates of the products a block is made of: linear layers, convolutions,
    /// matrix products, attention's scores and weighted sums, learned pooling.
    var macs: Int {
        var total = 0
        for (i, instr) in instrs.enumerated() {
            switch instr.op {
            case .linear, .channelConv1d, .axisConv1d, .conv2d, .matmul, .blockMatmul, .relPosWeights, .weightedPool:
                total += flops(i + 1) / 2
            case .attention:
                let q = shape(of: instr.operands[0])
                let keys = shape(of: instr.operands[1]).w
                let dv = shape(of: instr.operands[2]).h
                total += q.n * q.c * q.w * (q.h + dv) * keys
            case .globalPool, .channelPool, .axisPool, .pool2d, .variance, .affine, .softmax, .l1Normalize, .layerNorm, .instanceNorm,
                .groupNorm,
                .constant, .unary, .binary, .concat, .slice, .reshape, .transpose, .upsampleNearest, .blockUnfold:
                break
            }
        }
        return total
    }
}
