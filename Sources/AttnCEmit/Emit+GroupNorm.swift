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
        guard let rows = groupNormRows(v, groups: groups, scale: scale, shift: shift, eps: eps) else {
            nest.pre[nest.innermost].append(contentsOf: body)
            p.block("") { p in nest.print(into: &p) }
            return
        }
        var scalar = nest
        scalar.pre[scalar.innermost].append(contentsOf: body)
        splitForTCC(
            into: &p,
            chunked: { p in
                p.use(.rowSum)
                p.use(.rowSqDev)
                p.use(.rowNorm)
                p.block("") { p in rows.print(into: &p) }
            }, scalar: { p in p.block("") { p in scalar.print(into: &p) } })
    }

    /// tcc's form when each group's channels are one contiguous span and each channel's plane a
    /// contiguous row: the statistics by the packed-SSE row helpers over the span, then each
    /// channel row standardised with its affine folded in, `(x − mean)·(inv·γ) + β`
    /// (`attn_row_norm`). tcc's scalar passes were most of ELA's time. Nil otherwise.
    private func groupNormRows(_ v: ValueID, groups: Int, scale: ParamID?, shift: ParamID?, eps: Float) -> Nest? {
        let x = program.instrs[v - 1].operands[0]
        let s = program.shape(of: x)
        let perGroup = s.c / groups
        let count = perGroup * s.plane
        let (xl, yl) = (plan.layouts[x]!, plan.layouts[v]!)
        guard s.plane > 1, xl.hwStride == 1, yl.hwStride == 1, perGroup == 1 || xl.cStride == s.plane else { return nil }
        var nest = Nest()
        let n = nest.loop("n", s.n)
        let g = nest.loop("g", groups)
        let i: CExpr = perGroup > 1 ? "i" : .zero
        let c = g.index * perGroup + i
        var k = "inv"
        if let scale { k = "inv * \(names.param(scale))[\(c)]" }
        let b = shift.map { "\(names.param($0))[\(c)]" } ?? "0.0f"
        let row: Stmt = .line("attn_row_norm(\(address(v, n: n.index, c: c)), \(address(x, n: n.index, c: c)), mean, \(k), \(b), \(s.plane));")
        nest.pre[nest.innermost].append(contentsOf: [
            .line("const float *xg = \(address(x, n: n.index, c: g.index * perGroup));"),
            .line("const float mean = \(cOver("attn_row_sum(xg, \(count))", count));"),
            .line("const float var = attn_row_sq_dev(xg, mean, \(count));"),
            .line("const float inv = 1.0f / attn_sqrtf(\(cOver("var", count)) + \(cFloat(eps)));"),
            perGroup > 1 ? .loop(variable: "i", extent: perGroup, body: [row]) : row,
        ])
        return nest
    }
}
