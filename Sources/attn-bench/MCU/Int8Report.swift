// The int8 MCU count as markdown: per block and core the TFLM reference chain's instructions
// against the fused kernel's (portable C and with the DSP path), per MAC and per output element,
// then RAM and flash.

import AttnTFLite
import Foundation

enum Int8Report {
    /// The multiply-accumulates of one image: SE's 1×1 convs (ECA: its k taps per channel), CBAM's
    /// shared MLP twice and its k×k conv over the pooled planes; times the batch.
    static func macs(_ block: Int8Block) -> Int {
        switch block {
        case .se(let b):
            switch b.excitation {
            case .mlp(let r, _, let e): b.batch * (r.inputs * r.outputs + e.inputs * e.outputs)
            case .channelConv(let conv): b.batch * b.channels * conv.weights.count
            }
        case .cbam(let b):
            b.batch * (2 * (b.averageReduce.inputs * b.averageReduce.outputs + b.averageExpand.inputs * b.averageExpand.outputs)
                + b.height * b.width * b.conv.weights.count)
        }
    }

    static func markdown(
        models: [Int8Model], cores: [Core], outcome: (Int, Int, Int8Build) -> Int8Outcome,
        arenas: Result<[[String: Int]], Int8ArenaUnavailable>, skipped: [String], command: String, compiler: String
    ) -> String {
        var out = "## int8 blocks on Cortex-M: TFLM's reference op chain against the fused kernel (QEMU `-icount`)\n\n"
        out += "`\(command)`; \(compiler); QEMU `-icount shift=\(MCUBench.icountShift)`. "
        out += "Flags: " + cores.map { "\($0.label) `\($0.cflags.joined(separator: " "))` (\($0.machine))" }.joined(separator: ", ") + ". "
        out += "Instructions of one call per block (on the first sample); the chain is TFLM's reference kernels op by op with "
        out += "compile-time shapes and no interpreter dispatch (a lower bound on TFLM); the fused kernel as import-tflite writes it, "
        out += "built with `-DATTN_INT8_NO_DSP` (portable C) and without (its DSP path: SMLAD, SXTAB16, SSAT).\n\n"
        var differing = 0
        var compared = 0
        var failures: [String] = []
        var header = "| block | H×W×C | MACs |"
        var rule = "|---|---|--:|"
        for core in cores {
            header += " \(core.label) chain | \(core.label) fused C | \(core.label) fused DSP | chain ÷ DSP |"
            rule += "--:|--:|--:|--:|"
        }
        out += header + "\n" + rule + "\n"
        var perMAC = ""
        for (m, model) in models.enumerated() {
            for (k, kernel) in model.imported.kernels.enumerated() {
                let b = kernel.recognised.block
                let shape = (b.batch > 1 ? "\(b.batch)×" : "") + "\(b.height)×\(b.width)×\(b.channels)"
                var row = "| \(model.name)/\(kernel.name) (\(kernel.recognised.kind)) | \(shape) | \(macs(b)) |"
                var rowPerMAC = "| \(model.name)/\(kernel.name) |"
                for (c, core) in cores.enumerated() {
                    let counts = Int8Build.allCases.map { build -> Double? in
                        let o = outcome(m, c, build)
                        if k == 0, let r = o.run {
                            differing += r.differing
                            compared += r.compared
                        }
                        if k == 0, let e = o.error { failures.append("\(model.name) \(core.label) \(build.rawValue): \(e)") }
                        if k == 0, c == 0, let why = o.excluded { failures.append("\(model.name) \(build.rawValue) not compared: \(why)") }
                        return o.run?.instructions[k]
                    }
                    let excluded = Int8Build.allCases.map { outcome(m, c, $0).excluded != nil }
                    row += " " + counts.indices.map { i in counts[i].map(thousands) ?? (excluded[i] ? "—" : "failed") }.joined(separator: " | ")
                    if let chain = counts[0], let dsp = counts[2] { row += String(format: " | %.2f |", chain / dsp) } else { row += " | — |" }
                    let elements = Double(b.batch * b.height * b.width * b.channels)
                    for n in [counts[0], counts[2]] {
                        guard let n else {
                            rowPerMAC += " — |"
                            continue
                        }
                        rowPerMAC += String(format: " %.1f / %.2f |", n / Double(macs(b)), n / elements)
                    }
                }
                out += row + "\n"
                perMAC += rowPerMAC + "\n"
            }
        }
        out += "\nOn the device, every sample through each build: \(differing) of \(compared) outputs differ from TFLM's.\n\n"
        out += "Per MAC / per output element (chain, fused DSP):\n\n"
        out += "| block |" + cores.map { " \($0.label) chain | \($0.label) fused DSP |" }.joined() + "\n"
        out += "|---|" + cores.map { _ in "--:|--:|" }.joined() + "\n" + perMAC
        out += ram(models, cores: cores, outcome: outcome, arenas: arenas)
        let notes = failures + skipped.map { "not measured: \($0)" }
        if !notes.isEmpty { out += "\n" + notes.map { "- \($0)\n" }.joined() }
        return out
    }

    /// RAM and flash on the first core (both cores' builds have the same sizes to within a few bytes).
    static func ram(
        _ models: [Int8Model], cores: [Core], outcome: (Int, Int, Int8Build) -> Int8Outcome,
        arenas: Result<[[String: Int]], Int8ArenaUnavailable>
    ) -> String {
        let core = cores[0]
        var out = "\nRAM and flash (\(core.label) builds), bytes. I/O is the block's input and output tensors (H·W·C each; the fused "
        out += "kernel may run in place); fused RAM is its scratch plus the stack one call writes, chain RAM its arena of "
        out += "intermediate tensors plus stack; TFLM's arena is what its Python interpreter's RecordingMicroAllocator reports "
        out += "for the whole model (planned tensors with the I/O + persistent structures laid out for a 64-bit host). Flash is "
        out += "the kernel object's code and constants (weights, biases, multipliers, tables).\n\n"
        out += "| block | I/O | fused scratch + stack | chain arena + stack | TFLM arena: tensors + persistent | flash fused DSP | flash fused C | flash chain |\n"
        out += "|---|--:|--:|--:|--:|--:|--:|--:|\n"
        for (m, model) in models.enumerated() {
            let c = cores.firstIndex { $0.name == core.name }!
            let dsp = outcome(m, c, .dsp)
            let portable = outcome(m, c, .portable)
            let chain = outcome(m, c, .chain)
            for (k, kernel) in model.imported.kernels.enumerated() {
                let b = kernel.recognised.block
                let io = b.batch * b.height * b.width * b.channels
                let fusedRAM = dsp.run.map { "\(kernel.scratchBytes) + \($0.stackBytes[k])" } ?? "—"
                let chainRAM = chain.run.map { "\(kernel.tflmArenaBytes) + \($0.stackBytes[k])" } ?? "—"
                var tflm = "n/a"
                switch arenas {
                case .success(let a):
                    if k == 0, let head = a[m]["head"], let tail = a[m]["tail"] {
                        tflm = "\(head) + \(tail)" + (model.imported.kernels.count > 1 ? " (whole model)" : "")
                    } else if k > 0 {
                        tflm = "(above)"
                    }
                case .failure(let why): tflm = "n/a (\(why.why))"
                }
                func flash(_ o: Int8Outcome) -> String { k < o.flash.count ? "\(o.flash[k])" : "—" }
                out += "| \(model.name)/\(kernel.name) | 2 × \(io) | \(fusedRAM) | \(chainRAM) | \(tflm) | \(flash(dsp)) | \(flash(portable)) | \(flash(chain)) |\n"
            }
        }
        return out
    }

    static func thousands(_ n: Double) -> String {
        n >= 1e6 ? String(format: "%.2fM", n / 1e6) : n >= 1e4 ? String(format: "%.1fk", n / 1e3) : String(format: "%.0f", n)
    }
}
