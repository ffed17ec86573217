// The depthwise convolution along one spatial axis (ELA's and strip attention's `(k, 1)` and
// `(1, k)` convs on the pooled strips). The taps are unrolled with their literal shift; a tap
// that can fall outside the axis is guarded, one that always does (an axis of extent 1) is left out.
// tcc, with both values dense, runs each tap as one axpy over every output it reaches instead.

import AttnIR

extension CEmitter {
    /// `y[n,c,t] = b[c] + Σ_j w[c,j]·x[n,c,t + j − (k−1)/2]` along `axis`, zero padding.
    func emitAxisConv1d(_ v: ValueID, weight: ParamID, bias: ParamID?, kernel: Int, axis: Axis, into p: inout CPrinter) {
        guard let rows = axisConvRows(v, weight: weight, bias: bias, kernel: kernel, axis: axis) else {
            return emitAxisConvNest(v, weight: weight, bias: bias, kernel: kernel, axis: axis, into: &p)
        }
        p.split(
            [.tcc],
            { p in
                p.use(.rowAxpy)
                if bias == nil { p.use(.rowZero) }
                p.block("") { p in rows.print(into: &p) }
            }, else: { p in emitAxisConvNest(v, weight: weight, bias: bias, kernel: kernel, axis: axis, into: &p) })
    }

    /// The scalar form: every output element with its taps' sum.
    private func emitAxisConvNest(_ v: ValueID, weight: ParamID, bias: ParamID?, kernel: Int, axis: Axis, into p: inout CPrinter) {
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

    /// tcc's form where both values' planes are dense: per plane the bias, then per tap one
    /// `attn_row_axpy` over the outputs it reaches (along H the whole plane shifted by rows,
    /// along W each row). The sums run in the scalar form's order. Nil for strided layouts.
    private func axisConvRows(_ v: ValueID, weight: ParamID, bias: ParamID?, kernel: Int, axis: Axis) -> Nest? {
        let x = program.instrs[v - 1].operands[0]
        let s = program.instrs[v - 1].shape
        guard plan.layouts[x]!.hwStride == 1, plan.layouts[v]!.hwStride == 1, program.shape(of: x) == s else { return nil }
        var nest = Nest()
        let n = nest.loop("n", s.n)
        let c = nest.loop("c", s.c)
        let pad = (kernel - 1) / 2
        let wt = names.param(weight)
        // Without a bias the planes start from zero: one packed call (tcc's scalar fill was a
        // fifth of the conv's time on ELA's strips of 28).
        if let bias {
            nest.pre[nest.innermost].append(.line("float *plane = \(address(v, n: n.index, c: c.index));"))
            nest.pre[nest.innermost].append(.loop(variable: "t", extent: s.h * s.w, body: [.line("plane[t] = \(names.param(bias))[\(c.index)];")]))
        } else {
            nest.pre[nest.innermost].append(.line("attn_row_zero(\(address(v, n: n.index, c: c.index)), \(s.h * s.w));"))
        }
        let h: CExpr = "h"
        var taps: [Stmt] = []
        let extent = axis == .h ? s.h : s.w
        for j in 0..<kernel {
            let shift = j - pad
            let (lo, hi) = (max(0, -shift), min(extent, extent - shift))
            guard hi > lo else { continue }
            let a = "\(wt)[\(c.index * kernel + j)]"
            taps.append(axis == .h
                ? .line("attn_row_axpy(\(address(v, n: n.index, c: c.index, h: CExpr(lo))), \(address(x, n: n.index, c: c.index, h: CExpr(lo + shift))), \(a), \((hi - lo) * s.w));")
                : .line("attn_row_axpy(\(address(v, n: n.index, c: c.index, h: h, w: CExpr(lo))), \(address(x, n: n.index, c: c.index, h: h, w: CExpr(lo + shift))), \(a), \(hi - lo));"))
        }
        nest.pre[nest.innermost].append(contentsOf: axis == .h || s.h == 1 ? taps : [.loop(variable: "h", extent: s.h, body: taps)])
        return nest
    }
}
