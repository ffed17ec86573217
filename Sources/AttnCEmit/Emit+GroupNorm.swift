// GroupNorm: per sample and group, the statistics of the group's C/groups channels over every
// pixel, then each element standardised with the per-channel affine. The element loops index
// through the value's layout, so NCHW and NHWC storage take the same code.

import AttnIR

extension CEmitter {
    /// Two passes for the mean and the biased variance, a third writes `(x − mean)·inv·γ + β`.
    func emitGroupNorm(_ v: ValueID, groups: Int, scale: ParamID?, shift: ParamID?, eps: Float, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let s = instr.shape
        let perGroup = s.c / groups
        let count = perGroup * s.plane
        var nest = Nest()
        let n = nest.loop("n", s.n)
        let g = nest.loop("g", groups)
        let i: CExpr = perGroup > 1 ? "i" : .zero
        let h: CExpr = s.h > 1 ? "h" : .zero
        let w: CExpr = s.w > 1 ? "w" : .zero
        let c = g.index * perGroup + i
        let xe = element(x, n: n.index, c: c, h: h, w: w)
        /// `body` inside the loops over the group's channels and pixels (none of extent 1).
        func overGroup(_ body: [Stmt]) -> [Stmt] {
            var inner = body
            for (variable, extent) in [("w", s.w), ("h", s.h), ("i", perGroup)] where extent > 1 {
                inner = [.loop(variable: variable, extent: extent, body: inner)]
            }
            return inner
        }
        var term = "(\(xe) - mean) * inv"
        if let scale { term = "\(term) * \(names.param(scale))[\(c)]" }
        if let shift { term = "\(term) + \(names.param(shift))[\(c)]" }
        var body: [Stmt] = [.line("float mean = 0.0f;")]
        body += overGroup([.line("mean += \(xe);")])
        if count > 1 { body.append(.line("mean /= \(count).0f;")) }
        body.append(.line("float var = 0.0f;"))
        body += overGroup([.line("const float d = \(xe) - mean;"), .line("var += d * d;")])
        body.append(.line("const float inv = 1.0f / attn_sqrtf(\(cOver("var", count)) + \(cFloat(eps)));"))
        body += overGroup([.line("\(element(v, n: n.index, c: c, h: h, w: w)) = \(term);")])
        nest.pre[nest.innermost].append(contentsOf: body)
        p.block("") { p in nest.print(into: &p) }
    }
}
