// `attn-gen explain`: the lowered op graph of a block with shapes, costs and storage, as text or
// as Graphviz. Pure functions of the program and the emitter's storage plan.

import AttnCEmit
import Foundation
import AttnIR

package enum Explain {
    /// One line per value: id, role, shape, op, FLOPs and where it lives; then totals.
    package static func text(_ program: Program, layout: TensorLayout = .nchw) -> String {
        let plan = StoragePlan(program, layout: layout)
        let p = plan.program
        var lines = ["\(p.name): input \(p.input) → output \(p.outputShape), \(p.params.count) parameter tensor(s), \(p.paramCount) floats"]
        for (i, decl) in p.params.enumerated() {
            lines.append("  $\(i) \(decl.name) \(decl.dims)")
        }
        lines.append("  %0 input \(p.input)")
        for v in 1...p.instrs.count {
            let instr = p.instrs[v - 1]
            let args = instr.operands.map { "%\($0)" }.joined(separator: ", ")
            var line = "  %\(v) \(instr.role) \(instr.shape) = \(instr.op)(\(args))  \(flopsText(p.flops(v))) → \(plan.storage[v])"
            if let t = plan.temporaries[v] { line += ", working scratch[\(t.offset)..<\(t.offset + t.count)]" }
            if let others = plan.stackedGEMMs[v] { line += ", one GEMM with " + others.map { "%\($0)" }.joined(separator: ", ") }
            lines.append(line)
        }
        lines.append(
            "total: \(flopsText(p.flops)), scratch \(plan.scratchSize) floats (\(plan.scratchSize * 4) bytes), "
                + "params \(p.paramCount) floats (\(p.paramCount * 4) bytes)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same graph in Graphviz: boxes for ops (dashed when fused inline), ellipses for the input
    /// and for parameter tensors, edges labelled with shapes.
    package static func dot(_ program: Program, layout: TensorLayout = .nchw) -> String {
        let plan = StoragePlan(program, layout: layout)
        let p = plan.program
        var lines = ["digraph \"\(p.name)\" {", "  rankdir=TB;", "  node [fontname=\"Helvetica\", fontsize=10];"]
        lines.append("  v0 [shape=ellipse, label=\"input\\n\(p.input)\"];")
        for v in 1...p.instrs.count {
            let instr = p.instrs[v - 1]
            let style = plan.storage[v] == .inline ? ", style=dashed" : (v == p.output ? ", style=bold" : "")
            let label = "%\(v) \(instr.role)\\n\(escape("\(instr.op)"))\\n\(instr.shape)  \(flopsText(p.flops(v)))\\n\(escape("\(plan.storage[v])"))"
            lines.append("  v\(v) [shape=box\(style), label=\"\(label)\"];")
            for u in instr.operands {
                lines.append("  v\(u) -> v\(v) [label=\"\(p.shape(of: u))\"];")
            }
            for id in instr.op.params {
                lines.append("  p\(id) -> v\(v) [style=dotted];")
            }
        }
        for (id, decl) in p.params.enumerated() {
            lines.append("  p\(id) [shape=note, label=\"\(escape(decl.name))\\n\(decl.dims)\"];")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// `1.2 MFLOP`-style text.
    static func flopsText(_ f: Int) -> String {
        switch f {
        case ..<1_000: return "\(f) FLOP"
        case ..<1_000_000: return String(format: "%.1f kFLOP", Double(f) / 1e3)
        case ..<1_000_000_000: return String(format: "%.1f MFLOP", Double(f) / 1e6)
        default: return String(format: "%.2f GFLOP", Double(f) / 1e9)
        }
    }

    /// Parameter and role names are checked identifiers, but quotes and backslashes must never
    /// reach the DOT text unescaped.
    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
