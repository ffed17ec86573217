// The depthwise convolution along one spatial axis (ELA's and strip attention's `(k, 1)` and
// `(1, k)` convs on the pooled strips). The taps are unrolled with their literal shift; a tap
// that can fall outside the axis is guarded, one that always does (an axis of extent 1) is left out.

import AttnIR

extension CEmitter {
    /// `y[n,c,t] = b[c] + Σ_j w[c,j]·x[n,c,t + j − (k−1)/2]` along `axis`, zero padding.
    func emitAxisConv1d(_ v: ValueID, weight: ParamID, bias: ParamID?, kernel: Int, axis: Axis, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let s = instr.shape
        var nest = Nest()
        let n = nest.loop("n", s.n)
        let c = nest.loop("c", s.c)
        let h = nest.loop("h", s.h)
        let w = nest.loop("w", s.w)
        let (position, extent) = axis == .h ? (h.index, s.h) : (w.index, s.w)
        let pad = (kernel - 1) / 2
        let acc = "\(names.value(v))_acc"
        let wt = names.param(weight)
        var body: [Stmt] = [.line("float \(acc) = \(bias.map { "\(names.param($0))[\(c.index)]" } ?? "0.0f");")]
        for j in 0..<kernel {
            let shift = j - pad
            var guards: [String] = []
            if let known = position.constantValue {
                guard known + shift >= 0, known + shift < extent else { continue }
            } else if shift < 0 {
                guards.append("\(position) >= \(-shift)")
            } else if shift > 0 {
                guards.append("\(position) < \(extent - shift)")
            }
            let source = axis == .h
                ? element(x, n: n.index, c: c.index, h: h.index + shift, w: w.index)
                : element(x, n: n.index, c: c.index, h: h.index, w: w.index + shift)
            let term = "\(acc) += \(wt)[\(c.index * kernel + j)] * \(source);"
            body.append(.line(guards.isEmpty ? term : "if (\(guards.joined(separator: " && "))) \(term)"))
        }
        body.append(.line("\(element(v, n: n.index, c: c.index, h: h.index, w: w.index)) = \(acc);"))
        nest.pre[nest.innermost].append(contentsOf: body)
        p.block("") { p in nest.print(into: &p) }
    }
}
