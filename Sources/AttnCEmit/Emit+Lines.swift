// Ops along one axis: pools over H or W, softmax, L1 normalisation, LayerNorm over C and
// InstanceNorm over H·W. Each runs over "lines": loops over the other axes pick a line, then
// short passes walk it (max, then exponentials and their sum, then a scale). Contiguous lines
// use the row helpers.

import AttnIR

extension CEmitter {
    func emitAlongAxis(_ v: ValueID, into p: inout CPrinter) {
        guard p.compilers.contains(.tcc) else { return emitLines(v, into: &p) }
        if sumsColumns(v) {
            splitForTCC(into: &p, chunked: { p in self.sumColumns(v, into: &p) }, scalar: { p in self.emitLines(v, into: &p) })
        } else if sumsRows(v) {
            splitForTCC(into: &p, chunked: { p in self.sumRows(v, into: &p) }, scalar: { p in self.emitLines(v, into: &p) })
        } else {
            emitLines(v, into: &p)
        }
    }

    private func emitLines(_ v: ValueID, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let s = program.shape(of: x)
        let axis: Axis
        switch instr.op {
        case .axisPool(_, let a), .softmax(let a), .l1Normalize(let a, _): axis = a
        case .layerNorm: axis = .c
        case .instanceNorm, .variance: axis = .hw
        case .globalPool, .channelPool, .pool2d, .weightedPool, .linear, .channelConv1d, .axisConv1d, .groupNorm, .conv2d, .matmul, .blockMatmul, .relPosWeights,
            .attention, .affine, .constant, .unary, .binary, .concat, .slice, .reshape, .transpose, .upsampleNearest, .blockUnfold:
            preconditionFailure("\(instr.op) does not work along an axis")
        }
        if case .axisPool(.mean, .h) = instr.op, s.h > 1, axisStride(x, along: .w) == 1, axisStride(v, along: .w) == 1 {
            // MCUs keep the per-column form below; hosts and tcc add whole rows.
            let lines = { (p: inout CPrinter) in self.emitLines(v, axis: axis, into: &p) }
            p.split([.other], lines, else: { p in self.emitMeanOverRows(v, into: &p) })
            return
        }
        emitLines(v, axis: axis, into: &p)
    }

    /// The mean over H of rows that are contiguous along W: each (n, c)'s H rows added into its
    /// output row by the row helper (`attn_row_axpy` with a = 1, so the sums are the per-column
    /// loop's, in its order), then divided. The per-column loop read W strided columns of H
    /// floats, one element at a time.
    private func emitMeanOverRows(_ v: ValueID, into p: inout CPrinter) {
        let x = program.instrs[v - 1].operands[0]
        let s = program.shape(of: x)
        var nest = Nest()
        let n = nest.loop("n", s.n)
        let c = nest.loop("c", s.c)
        let yl = address(v, n: n.index, c: c.index)
        nest.pre[nest.innermost].append(contentsOf: [
            .line("float *yl = \(yl);"),
            .loop(variable: "t", extent: s.w, body: [.line("yl[t] = 0.0f;")]),
            .loop(variable: "h", extent: s.h, body: [.line("attn_row_axpy(yl, \(address(x, n: n.index, c: c.index, h: "h")), 1.0f, \(s.w));")]),
            .loop(variable: "t", extent: s.w, body: [.line("yl[t] = \(cOver("yl[t]", s.h));")]),
        ])
        p.use(.rowAxpy)
        p.block("") { p in nest.print(into: &p) }
    }

    private func emitLines(_ v: ValueID, axis: Axis, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let s = program.shape(of: x)
        // Loops over every axis but the line's; the line's own index is 0 in the base offsets.
        var nest = Nest()
        let n = nest.loop("n", s.n)
        let c: LoopIndex = axis == .c ? (.zero, 0) : nest.loop("c", s.c)
        let h: LoopIndex = axis == .h || axis == .hw ? (.zero, 0) : nest.loop("h", s.h)
        let w: LoopIndex = axis == .w || axis == .hw ? (.zero, 0) : nest.loop("w", s.w)
        let count = axis == .c ? s.c : axis == .h ? s.h : axis == .w ? s.w : s.plane
        let (sx, sy) = (axisStride(x, along: axis), axisStride(v, along: axis))
        var body: [Stmt] = [
            .line("const float *xl = \(address(x, n: n.index, c: c.index, h: h.index, w: w.index));"),
            .line("float *yl = \(address(v, n: n.index, c: c.index, h: h.index, w: w.index));"),
        ]
        let at = { (base: String, k: Int) in "\(base)[\(CExpr.variable("t") * k)]" }
        let (xt, yt) = (at("xl", sx), at("yl", sy))
        let contiguous = sx == 1 && sy == 1
        // Where lines that differ per compiler go in (tcc's packed-SSE helpers, the others'
        // loops), with each side's helper.
        var split: (at: Int, tcc: [Stmt], tccHelper: Helper, other: [Stmt], otherHelper: Helper?)?
        switch instr.op {
        case .axisPool(let mode, _):
            switch mode {
            case .mean:
                if sx == 1 { p.use(.rowSum) }
                body.append(.line(sx == 1 ? "float acc = attn_row_sum(xl, \(count));" : "float acc = 0.0f;"))
                if sx != 1 { body.append(.loop(variable: "t", extent: count, body: [.line("acc += \(xt);")])) }
                body.append(.line("yl[0] = \(cOver("acc", count));"))
            case .max:
                if sx == 1 { p.use(.rowMax) }
                body.append(.line(sx == 1 ? "float m = attn_row_max(xl, \(count));" : "float m = -INFINITY;"))
                if sx != 1 { body.append(.loop(variable: "t", extent: count, body: [.line("m = \(xt) > m ? \(xt) : m;")])) }
                body.append(.line("yl[0] = m;"))
            }
        case .softmax:
            if sx == 1 { p.use(.rowMax) }
            if contiguous { p.use(.rowScale) }
            body.append(.line(sx == 1 ? "const float m = attn_row_max(xl, \(count));" : "float m = -INFINITY;"))
            if sx != 1 { body.append(.loop(variable: "t", extent: count, body: [.line("m = \(xt) > m ? \(xt) : m;")])) }
            if contiguous {
                // Contiguous rows: tcc on x86-64 copies the row to the output, then takes its
                // exponentials and their sum in the packed-SSE helper (`expf` per element, a libm
                // call each, was most of a small softmax's time); gcc, clang and MCU compilers
                // take the exponentials alone (they vectorise on hosts), then their sum by the
                // row helper.
                split = (
                    body.count,
                    [.line("attn_row_scale(yl, xl, 1.0f, \(count));"), .line("const float sum = attn_row_exp_sum(yl, m, \(count));")],
                    .rowExpSum,
                    [
                        .loop(variable: "t", extent: count, body: [.line("yl[t] = \(softmaxExp("xl[t] - m", count: count));")]),
                        .line("const float sum = attn_row_sum(yl, \(count));"),
                    ], .rowSum
                )
            } else if sy == 1 {
                // The exponentials alone, then their sum by the row helper: a loop that also
                // carries one running sum does not vectorise without reassociation, so gcc ran the
                // host's inline expf one lane at a time.
                p.use(.rowSum)
                body.append(.loop(variable: "t", extent: count, body: [.line("\(yt) = \(softmaxExp("\(xt) - m", count: count));")]))
                body.append(.line("const float sum = attn_row_sum(yl, \(count));"))
            } else {
                body.append(.line("float sum = 0.0f;"))
                body.append(.loop(variable: "t", extent: count, body: [
                    .line("const float e = \(softmaxExp("\(xt) - m", count: count));"), .line("\(yt) = e;"), .line("sum += e;"),
                ]))
            }
            body.append(.line("const float inv = 1.0f / sum;"))
            body.append(contentsOf: copyScaled(contiguous, yt, yt, "inv", count, inPlace: true))
        case .l1Normalize(_, let eps):
            if contiguous { p.use(.rowScale) }
            body.append(.line("float sum = 0.0f;"))
            body.append(.loop(variable: "t", extent: count, body: [.line("sum += \(xt) < 0.0f ? -\(xt) : \(xt);")]))
            body.append(.line("const float inv = 1.0f / (\(cFloat(eps)) + sum);"))
            body.append(contentsOf: copyScaled(contiguous, xt, yt, "inv", count))
        case .layerNorm(let scale, let shift, let eps):
            if sx == 1 { p.use(.rowSum); p.use(.rowSqDev) }
            body.append(contentsOf: standardize(sx, xt, yt, count, eps: eps, scale: scale, shift: shift))
        case .instanceNorm(let eps):
            if sx == 1 { p.use(.rowSum); p.use(.rowSqDev) }
            body.append(contentsOf: standardize(sx, xt, yt, count, eps: eps, scale: nil, shift: nil))
            if contiguous, let loop = body.popLast() {
                // tcc on x86-64 standardises the row in the packed-SSE helper: its scalar loop
                // was most of SimAM's time.
                split = (body.count, [.line("attn_row_norm(yl, xl, mean, inv, 0.0f, \(count));")], .rowNorm, [loop], nil)
            }
        case .variance(let unbiased):
            if sx == 1 { p.use(.rowSum); p.use(.rowSqDev) }
            body.append(contentsOf: mean(sx, xt, count))
            body.append(contentsOf: squaredDeviations(sx, xt, count))
            body.append(.line("yl[0] = \(cOver("var", unbiased ? count - 1 : count));"))
        case .globalPool, .channelPool, .pool2d, .weightedPool, .linear, .channelConv1d, .axisConv1d, .groupNorm, .conv2d, .matmul, .blockMatmul, .relPosWeights,
            .attention, .affine, .constant, .unary, .binary, .concat, .slice, .reshape, .transpose, .upsampleNearest, .blockUnfold:
            preconditionFailure("\(instr.op) does not work along an axis")
        }
        guard let split else {
            nest.pre[nest.innermost].append(contentsOf: body)
            p.block("") { p in nest.print(into: &p) }
            return
        }
        let printed = { (p: inout CPrinter, tcc: Bool) in
            var lines = body
            lines.insert(contentsOf: tcc ? split.tcc : split.other, at: split.at)
            if let helper = tcc ? split.tccHelper : split.otherHelper { p.use(helper) }
            var copy = nest
            copy.pre[copy.innermost].append(contentsOf: lines)
            copy.print(into: &p)
        }
        p.block("") { p in
            HostBranch.printTCCAsm(options.target, asm: { p in printed(&p, true) }, other: { p in printed(&p, false) }, into: &p)
        }
    }

    /// A softmax row's exponential of `d` (its value less the row's max), zero below the cut
    /// that keeps every probability of a row of `count` normal (`SoftmaxCut`).
    func softmaxExp(_ d: String, count: Int) -> String {
        "\(d) < \(cFloat(SoftmaxCut.cut(count: count))) ? 0.0f : \(names.expf)(\(d))"
    }

    /// `y[t] = k·x[t]` over a line (`x` is `y` itself when `inPlace`).
    private func copyScaled(_ contiguous: Bool, _ xt: String, _ yt: String, _ k: String, _ count: Int, inPlace: Bool = false) -> [Stmt] {
        if contiguous { return [.line("attn_row_scale(yl, \(inPlace ? "yl" : "xl"), \(k), \(count));")] }
        return [.loop(variable: "t", extent: count, body: [.line("\(yt) = \(k) * \(xt);")])]
    }

    /// `mean`, the line's average.
    private func mean(_ sx: Int, _ xt: String, _ count: Int) -> [Stmt] {
        guard sx != 1 else { return [.line("const float mean = \(cOver("attn_row_sum(xl, \(count))", count));")] }
        var body: [Stmt] = [.line("float mean = 0.0f;"), .loop(variable: "t", extent: count, body: [.line("mean += \(xt);")])]
        if count > 1 { body.append(.line("mean /= \(count).0f;")) }
        return body
    }

    /// `var`, the sum of the line's squared deviations from `mean`: on a contiguous line, the row
    /// helper's partial sums (one running sum is one add latency per element).
    private func squaredDeviations(_ sx: Int, _ xt: String, _ count: Int) -> [Stmt] {
        guard sx != 1 else { return [.line("const float var = attn_row_sq_dev(xl, mean, \(count));")] }
        return [.line("float var = 0.0f;"), .loop(variable: "t", extent: count, body: [.line("const float d = \(xt) - mean;"), .line("var += d * d;")])]
    }

    /// `(x − mean) / sqrt(var + eps)`, two passes for the statistics, then the optional affine.
    private func standardize(
        _ sx: Int, _ xt: String, _ yt: String, _ count: Int, eps: Float, scale: ParamID?, shift: ParamID?
    ) -> [Stmt] {
        var body = mean(sx, xt, count)
        body.append(contentsOf: squaredDeviations(sx, xt, count))
        body.append(.line("const float inv = 1.0f / attn_sqrtf(\(cOver("var", count)) + \(cFloat(eps)));"))
        var term = "(\(xt) - mean) * inv"
        if let scale { term = "\(term) * \(names.param(scale))[t]" }
        if let shift { term = "\(term) + \(names.param(shift))[t]" }
        body.append(.loop(variable: "t", extent: count, body: [.line("\(yt) = \(term);")]))
        return body
    }
}
