// Batched matrix products and fused attention. Matrices are the H×W planes of a value, one per
// (n, c). Where rows are contiguous the inner work is a row helper: an axpy of a whole row of B
// (A·B), or a dot of two rows (A·Bᵀ).

import AttnIR

extension CEmitter {
    func emitMatmul(_ v: ValueID, ta: Bool, tb: Bool, alpha: Float, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let (a, b) = (instr.operands[0], instr.operands[1])
        let out = instr.shape
        let inner = ta ? program.shape(of: a).h : program.shape(of: a).w
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let c = nest.loop("c", out.c)
        let i = nest.loop("i", out.h)
        // A(i, k) and B(k, j) as C expressions of the loop indices.
        let aik = ta ? element(a, n: n.index, c: c.index, h: "k", w: i.index) : element(a, n: n.index, c: c.index, h: i.index, w: "k")
        let bkj = { (j: String) in tb ? self.element(b, n: n.index, c: c.index, h: j, w: "k") : self.element(b, n: n.index, c: c.index, h: "k", w: j) }
        let scale = alpha == 1 ? "" : " * \(cFloat(alpha))"
        let outRow = "\(pointer(v)) + \(index(v, n: n.index, c: c.index, h: i.index))"
        var body: [Stmt] = []
        let rowsOfB = !tb && axisStride(b, along: .w) == 1 && axisStride(v, along: .w) == 1
        let rowDots = tb && !ta && axisStride(a, along: .w) == 1 && axisStride(b, along: .w) == 1
        if rowsOfB {
            // out[i, :] = Σ_k A(i,k)·B[k, :]
            body.append(.line("float *yr = \(outRow);"))
            body.append(.loop(variable: "j", extent: out.w, body: [.line("yr[j] = 0.0f;")]))
            body.append(.loop(variable: "k", extent: inner, body: [
                .line("attn_row_axpy(yr, \(pointer(b)) + \(index(b, n: n.index, c: c.index, h: "k")), \(aik)\(scale), \(out.w));")
            ]))
        } else if rowDots {
            // out[i, j] = A[i, :] · B[j, :]
            body.append(.line("const float *ar = \(pointer(a)) + \(index(a, n: n.index, c: c.index, h: i.index));"))
            body.append(.loop(variable: "j", extent: out.w, body: [
                .line("\(element(v, n: n.index, c: c.index, h: i.index, w: "j")) = attn_row_dot(ar, \(pointer(b)) + \(index(b, n: n.index, c: c.index, h: "j")), \(inner))\(scale);")
            ]))
        } else {
            body.append(.loop(variable: "j", extent: out.w, body: [
                .line("float acc = 0.0f;"),
                .loop(variable: "k", extent: inner, body: [.line("acc += \(aik) * \(bkj("j"));")]),
                .line("\(element(v, n: n.index, c: c.index, h: i.index, w: "j")) = acc\(scale);"),
            ]))
        }
        nest.pre[nest.innermost].append(contentsOf: body)
        p.block("") { p in nest.print(into: &p) }
    }

    /// One query at a time: its scores against every key go to a row of scratch (L' floats),
    /// are turned into softmax weights there, and each output channel is a dot of that row with
    /// a row of V. Nothing of size L×L' exists.
    func emitAttention(_ v: ValueID, scale: Float, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let (q, k, val) = (instr.operands[0], instr.operands[1], instr.operands[2])
        let (d, keys, dv) = (program.shape(of: q).h, program.shape(of: k).w, program.shape(of: val).h)
        let out = instr.shape
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let b = nest.loop("b", out.c)
        let i = nest.loop("i", out.w)
        let row = "\(names.value(v))_scores"
        let kRows = axisStride(k, along: .w) == 1
        let vRows = axisStride(val, along: .w) == 1
        var body: [Stmt] = []
        let qti = { (t: String) in self.element(q, n: n.index, c: b.index, h: t, w: i.index) }
        if kRows {
            body.append(.loop(variable: "j", extent: keys, body: [.line("\(row)[j] = 0.0f;")]))
            body.append(.loop(variable: "t", extent: d, body: [
                .line("attn_row_axpy(\(row), \(pointer(k)) + \(index(k, n: n.index, c: b.index, h: "t")), \(qti("t")) * \(cFloat(scale)), \(keys));")
            ]))
        } else {
            body.append(.loop(variable: "j", extent: keys, body: [
                .line("float acc = 0.0f;"),
                .loop(variable: "t", extent: d, body: [.line("acc += \(qti("t")) * \(element(k, n: n.index, c: b.index, h: "t", w: "j"));")]),
                .line("\(row)[j] = acc * \(cFloat(scale));"),
            ]))
        }
        body.append(.line("const float m = attn_row_max(\(row), \(keys));"))
        body.append(.line("float sum = 0.0f;"))
        body.append(.loop(variable: "j", extent: keys, body: [
            .line("const float e = \(names.expf)(\(row)[j] - m);"), .line("\(row)[j] = e;"), .line("sum += e;"),
        ]))
        body.append(.line("const float inv = 1.0f / sum;"))
        if vRows {
            body.append(.loop(variable: "e", extent: dv, body: [
                .line("\(element(v, n: n.index, c: b.index, h: "e", w: i.index)) = inv * attn_row_dot(\(row), \(pointer(val)) + \(index(val, n: n.index, c: b.index, h: "e")), \(keys));")
            ]))
        } else {
            body.append(.loop(variable: "e", extent: dv, body: [
                .line("float acc = 0.0f;"),
                .loop(variable: "j", extent: keys, body: [.line("acc += \(row)[j] * \(element(val, n: n.index, c: b.index, h: "e", w: "j"));")]),
                .line("\(element(v, n: n.index, c: b.index, h: "e", w: i.index)) = inv * acc;"),
            ]))
        }
        nest.pre[nest.innermost].append(contentsOf: body)
        p.block("") { p in
            p.line("float *\(row) = scratch + \(schedule.temps[v]!); /* [\(keys)] */")
            nest.print(into: &p)
        }
    }
}
