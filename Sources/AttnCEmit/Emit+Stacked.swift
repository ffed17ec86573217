// Sibling 1×1 convolutions of one input, stacked by the plan (`stackPointwise`): gcc and clang on
// 64-bit hosts run them as one GEMM (`attn_gemm_nn_stack`), each input panel packed once for all
// of their weight rows; every other compiler runs each conv as its own step would.

import AttnIR
import AttnPlan

extension CEmitter {
    func emitStackedPointwise(_ group: [ValueID], into p: inout CPrinter) {
        let x = program.instrs[group[0] - 1].operands[0]
        let xLayout = plan.layouts[x]!
        let each = { (p: inout CPrinter) in
            for v in group {
                guard case .conv2d(let a) = self.program.instrs[v - 1].op else { preconditionFailure("a stacked step of convs") }
                self.emitConv2d(v, a, into: &p)
            }
        }
        // Whole planes on both sides (NCHW storage): else each conv takes its own form.
        guard xLayout.hwStride == 1, group.allSatisfy({ plan.layouts[$0]!.hwStride == 1 }) else { return each(&p) }
        let xs = program.shape(of: x)
        let out = program.instrs[group[0] - 1].shape
        var host = Nest()
        let n = host.loop("n", out.n)
        let rows = group.map { v -> String in
            guard case .conv2d(let a) = program.instrs[v - 1].op else { preconditionFailure("a stacked step of convs") }
            let bias = a.bias.map(names.param) ?? "(const float *)0"
            return "{\(plus(pointer(v), index(v, n: n.index))), \(plan.layouts[v]!.cStride), \(names.param(a.weight)), \(xs.c), "
                + "\(bias), \(program.instrs[v - 1].shape.c)}"
        }
        host.pre[host.innermost].append(.line("const attn_gemm_rows rows[\(group.count)] = {\(rows.joined(separator: ", "))};"))
        // The weight rows' copy, where the plan gave them one (`stackPackScratch`).
        let pack = plan.hostTemps[group[0]].map { plus("scratch", CExpr($0.offset)) } ?? "(float *)0"
        // The same rows made ahead, when the kernel was given `<name>_pack`'s array (`packedGEMMs`).
        let made = packedGEMMs.first { $0.convs == group }.map {
            $0.offset == 0 ? "slivers" : "slivers ? \(plus("slivers", CExpr($0.offset))) : (const float *)0"
        }
        host.pre[host.innermost].append(.line(
            "attn_gemm_nn_stack(rows, \(group.count), \(plus(pointer(x), index(x, n: n.index))), \(xLayout.cStride), \(out.plane), \(xs.c), \(pack), \(made ?? "(const float *)0"));"))
        HostBranch.print(
            host: { p in
                p.use(.gemmNN)
                p.block("") { p in host.print(into: &p) }
            }, other: each, into: &p)
    }
}
