// The MCU count as markdown: per block and core, the fused kernel's instructions against the
// op-by-op build's, then per MAC and per output element.

import AttnGen
import Foundation

struct MCURow {
    let c: MCUCase
    /// Per core (in `cores` order): fused, op by op.
    let outcomes: [(fused: MCUOutcome, opByOp: MCUOutcome)]
}

enum MCUReport {
    static func markdown(rows: [MCURow], cores: [Core], skipped: [String], command: String, compiler: String) -> String {
        var out = "## Instructions per block on Cortex-M (QEMU `-icount`)\n\n"
        out += "`\(command)`; \(compiler); QEMU `-icount shift=\(MCUBench.icountShift)`; NCHW, `libm: false`; "
        out += "each block at 1×min(C,\(MCUBench.maxChannels))×min(H,\(MCUBench.maxSide))×min(W,\(MCUBench.maxSide)). "
        out += "Flags: " + cores.map { "\($0.label) `\($0.cflags.joined(separator: " "))` (\($0.machine))" }.joined(separator: ", ") + ".\n\n"
        out += "Instructions of one forward call, fused (what attn-gen emits) / op by op (`--op-by-op`: one loop nest per op, "
        out += "every value stored), and their ratio (op by op ÷ fused: above 1, fusing saves).\n\n"
        out += "| block | shape | MACs | " + cores.map(\.label).joined(separator: " | ") + " |\n"
        out += "|---|---|--:|" + cores.map { _ in "--:" }.joined(separator: "|") + "|\n"
        for row in rows {
            let s = row.c.program.input
            out += "| \(row.c.name) | \(s.c)×\(s.h)×\(s.w) | \(row.c.program.macs) | "
            out += row.outcomes.map { cell($0.fused, $0.opByOp) }.joined(separator: " | ") + " |\n"
        }
        out += "\nThe fused kernel per MAC / per output element (a block without products shows — per MAC).\n\n"
        out += "| block | " + cores.map(\.label).joined(separator: " | ") + " |\n"
        out += "|---|" + cores.map { _ in "--:" }.joined(separator: "|") + "|\n"
        for row in rows {
            let macs = Double(row.c.program.macs)
            let elements = Double(row.c.program.outputShape.count)
            out += "| \(row.c.name) | " + row.outcomes.map { o in
                guard let n = o.fused.count else { return short(o.fused) }
                return (macs > 0 ? String(format: "%.2f", n / macs) : "—") + " / " + String(format: "%.1f", n / elements)
            }.joined(separator: " | ") + " |\n"
        }
        let notes = rows.flatMap { row in
            zip(cores, row.outcomes).flatMap { core, o in
                [o.fused, o.opByOp].compactMap { outcome -> String? in
                    switch outcome {
                    case .instructions: return nil
                    case .doesNotFit(let why): return "\(row.c.name) on \(core.label): does not fit (\(why))"
                    case .failed(let why): return "\(row.c.name) on \(core.label): FAILED \(why)"
                    }
                }
            }
        }
        if !notes.isEmpty || !skipped.isEmpty {
            out += "\n" + (Array(Set(notes)).sorted() + skipped.map { "not measured: \($0)" }).map { "- \($0)\n" }.joined()
        }
        return out
    }

    private static func cell(_ fused: MCUOutcome, _ opByOp: MCUOutcome) -> String {
        guard let f = fused.count else { return short(fused) }
        guard let u = opByOp.count else { return "\(thousands(f)) / \(short(opByOp))" }
        return "\(thousands(f)) / \(thousands(u)) (\(String(format: "%.2f", u / f)))"
    }

    private static func short(_ o: MCUOutcome) -> String {
        switch o {
        case .instructions(let n): return thousands(n)
        case .doesNotFit: return "no fit"
        case .failed: return "failed"
        }
    }

    static func thousands(_ n: Double) -> String {
        n >= 1e6 ? String(format: "%.2fM", n / 1e6) : n >= 1e4 ? String(format: "%.1fk", n / 1e3) : String(format: "%.0f", n)
    }
}
