// Batched matrix products and fused attention. Matrices are the H×W planes of a value, one per
// (n, c). Where rows are contiguous the inner work is a row helper: an axpy of a whole row of B
// (A·B), or a dot of two rows (A·Bᵀ).

import AttnIR
import AttnPlan

extension CEmitter {
    func emitMatmul(_ v: ValueID, ta: Bool, tb: Bool, alpha: Float, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let (a, b) = (instr.operands[0], instr.operands[1])
        let out = instr.shape
        let inner = ta ? program.shape(of: a).h : program.shape(of: a).w
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let c = nest.loop("c", out.c)
        // A(i, k) and B(k, j) as C expressions of the loop indices.
        let aik = ta ? element(a, n: n.index, c: c.index, h: "k", w: "i") : element(a, n: n.index, c: c.index, h: "i", w: "k")
        let bkj = tb ? element(b, n: n.index, c: c.index, h: "j", w: "k") : element(b, n: n.index, c: c.index, h: "k", w: "j")
        let scale = alpha == 1 ? "" : " * \(cFloat(alpha))"
        let outRow = address(v, n: n.index, c: c.index, h: "i")
        let rowsOfB = !tb && axisStride(b, along: .w) == 1 && axisStride(v, along: .w) == 1
        let rowDots = tb && !ta && axisStride(a, along: .w) == 1 && axisStride(b, along: .w) == 1
        // Output rows go in blocks: each row of B is then read once per block of A's rows, from
        // L1, instead of once per row (CAM's X·Xᵀ streamed all of X for every channel).
        let block = Self.rowBlock
        let rows = { (body: [Stmt]) -> Stmt in .range(variable: "i", from: "i0", to: "i1", body: body) }
        let end = CExpr.variable("i0") + block
        var body: [Stmt] = [.line("const int i1 = \(end) < \(out.h) ? \(end) : \(out.h);")]
        if rowsOfB {
            // out[i, :] = Σ_k A(i,k)·B[k, :]
            body.append(rows([.loop(variable: "j", extent: out.w, body: [.line("\(element(v, n: n.index, c: c.index, h: "i", w: "j")) = 0.0f;")])]))
            body.append(.loop(variable: "k", extent: inner, body: [
                .line("const float *br = \(address(b, n: n.index, c: c.index, h: "k"));"),
                rows([.line("attn_row_axpy(\(outRow), br, \(aik), \(out.w));")]),
            ]))
            // alpha scales the finished sums, as the GEMM helpers and the interpreter do: folded
            // into A, a huge alpha turns each term into ±inf and their sum into NaN.
            if alpha != 1 {
                body.append(rows([.loop(variable: "j", extent: out.w, body: [.line("\(element(v, n: n.index, c: c.index, h: "i", w: "j")) *= \(cFloat(alpha));")])]))
            }
        } else if rowDots {
            // out[i, j] = A[i, :] · B[j, :]
            body.append(.loop(variable: "j", extent: out.w, body: [
                .line("const float *br = \(address(b, n: n.index, c: c.index, h: "j"));"),
                rows([
                    .line("\(element(v, n: n.index, c: c.index, h: "i", w: "j")) = attn_row_dot(\(address(a, n: n.index, c: c.index, h: "i")), br, \(inner))\(scale);")
                ]),
            ]))
        } else {
            body.append(rows([.loop(variable: "j", extent: out.w, body: [
                .line("float acc = 0.0f;"),
                .loop(variable: "k", extent: inner, body: [.line("acc += \(aik) * \(bkj);")]),
                .line("\(element(v, n: n.index, c: c.index, h: "i", w: "j")) = acc\(scale);"),
            ])]))
        }
        nest.pre[nest.innermost].append(.stepped(variable: "i0", extent: out.h, step: CExpr(block), body: body))
        let rowHelper: Helper? = rowsOfB ? .rowAxpy : rowDots ? .rowDot : nil
        // On hosts and MCUs (tcc on x86-64 too) the two contiguous forms are one GEMM call per matrix.
        guard rowsOfB || rowDots, axisStride(a, along: .w) == 1 else {
            if let rowHelper { p.use(rowHelper) }
            p.block("") { p in nest.print(into: &p) }
            return
        }
        let (as_, bs) = (program.shape(of: a), program.shape(of: b))
        var host = Nest()
        let hn = host.loop("n", out.n)
        let hc = host.loop("c", out.c)
        let aBase = address(a, n: hn.index, c: hc.index)
        let bBase = address(b, n: hn.index, c: hc.index)
        let cBase = address(v, n: hn.index, c: hc.index)
        let call: String
        if rowsOfB {
            let (ars, acs) = ta ? (1, as_.w) : (as_.w, 1)
            call = "attn_gemm_nn(\(cBase), \(out.w), \(aBase), \(ars), \(acs), \(bBase), \(bs.w), \(out.h), \(out.w), \(inner), (const float *)0, \(cFloat(alpha)));"
        } else {
            call = "attn_gemm_nt(\(cBase), \(out.w), 1, \(aBase), \(as_.w), \(bBase), \(bs.w), \(out.h), \(out.w), \(inner), \(cFloat(alpha)));"
        }
        host.pre[host.innermost].append(.line(call))
        let general = { (p: inout CPrinter) in
            HostBranch.printGEMM(
                options.target,
                gemm: { p in
                    p.use(rowsOfB ? .gemmNN : .gemmNT)
                    host.print(into: &p)
                },
                other: { p in
                    if let rowHelper { p.use(rowHelper) }
                    nest.print(into: &p)
                }, into: &p)
        }
        p.block("") { p in
            guard let thin = thinMatmul(v, ta: ta, tb: tb, alpha: alpha, rowsOfB: rowsOfB) else { return general(&p) }
            // MCUs keep the GEMM form (their register tiles); hosts and tcc take the row form.
            p.split([.other], general, else: thin)
        }
    }

    /// A product of one output column (a matrix times a vector) or of one inner step (an outer
    /// product of two vectors), printed as rows: gcc and clang a block of matrix rows per step
    /// (`attn_rows_dot`) or one scaled row per output row, tcc their row helpers. The GEMM
    /// helpers pack panels and run register tiles for one column or one step, mostly idle work;
    /// nil for any other product.
    private func thinMatmul(_ v: ValueID, ta: Bool, tb: Bool, alpha: Float, rowsOfB: Bool) -> ((inout CPrinter) -> Void)? {
        let instr = program.instrs[v - 1]
        let (a, b) = (instr.operands[0], instr.operands[1])
        let (out, as_) = (instr.shape, program.shape(of: a))
        guard !ta, axisStride(a, along: .w) == 1, axisStride(b, along: .w) == 1, axisStride(v, along: .w) == 1 else { return nil }
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let c = nest.loop("c", out.c)
        let (aBase, bBase, cBase) = (address(a, n: n.index, c: c.index), address(b, n: n.index, c: c.index), address(v, n: n.index, c: c.index))
        let scale = alpha == 1 ? "" : " * \(cFloat(alpha))"
        if rowsOfB && out.w == 1 && axisStride(b, along: .h) == 1 && axisStride(a, along: .h) == as_.w && axisStride(v, along: .h) == 1 {
            // out[i] = A[i, :] · b
            let rows = { (host: Bool) -> Nest in
                var rows = nest
                if host {
                    rows.pre[rows.innermost].append(.line(
                        "attn_rows_dot(\(cBase), (float *)0, \(aBase), \(out.h), \(as_.w), \(bBase), (const float *)0, (const float *)0);"))
                    if alpha != 1 {
                        rows.pre[rows.innermost].append(.loop(variable: "i", extent: out.h, body: [
                            .line("\(self.element(v, n: n.index, c: c.index, h: "i")) *= \(cFloat(alpha));")
                        ]))
                    }
                } else {
                    rows.pre[rows.innermost].append(.loop(variable: "i", extent: out.h, body: [
                        .line("\(self.element(v, n: n.index, c: c.index, h: "i")) = attn_row_dot(\(self.address(a, n: n.index, c: c.index, h: "i")), \(bBase), \(as_.w))\(scale);")
                    ]))
                }
                return rows
            }
            return { p in
                p.split([.vectorHost], { p in
                    p.use(.rowsDot)
                    rows(true).print(into: &p)
                }, else: { p in
                    p.use(.rowDot)
                    rows(false).print(into: &p)
                })
            }
        }
        if tb && as_.w == 1 && alpha == 1 && axisStride(a, along: .h) == 1 && axisStride(b, along: .h) == 1 {
            // out[i, :] = a[i] · b
            nest.pre[nest.innermost].append(.loop(variable: "i", extent: out.h, body: [
                .line("attn_row_scale(\(address(v, n: n.index, c: c.index, h: "i")), \(bBase), \(element(a, n: n.index, c: c.index, h: "i")), \(out.w));")
            ]))
            return { p in
                p.use(.rowScale)
                nest.print(into: &p)
            }
        }
        return nil
    }

    /// For each query row `i` of the block: its dots with the table rows its keys reach (the
    /// scaled position logits per key row and per key column), then those added to its scores.
    /// On hosts the query's column of Q is first copied contiguous, and each dot is a row helper:
    /// the scalar form reads Q a row apart per term and waits on one multiply-add after another.
    private func relPositionRows(_ r: RelPosLogits, q: ValueID, n: CExpr, b: CExpr, d: Int, keys: Int, scores: String, host: Bool = false)
        -> [Stmt]
    {
        let block = host ? Self.hostRowBlock : Self.rowBlock
        let (i, i0): (CExpr, CExpr) = ("i", "i0")
        let qh = i / r.queryWidth, qw = i % r.queryWidth
        let relH = "\(scores)_h", relW = "\(scores)_w"
        let factor = r.scale == 1 ? "" : " * \(cFloat(r.scale))"
        let qt = element(q, n: n, c: b, h: "t", w: i)
        let column = "\(scores)_q"
        // One table's dots: entry `a` of the query's slice is table row `a − qpos + extent − 1`.
        func dots(_ table: ParamID, _ out: String, extent: Int, position: CExpr) -> Stmt {
            let entry = ("a" - position + (extent - 1)) * d + "t"
            if host {
                let row = plus(names.param(table), ("a" - position + (extent - 1)) * d)
                return .loop(variable: "a", extent: extent, body: [.line("\(out)[a] = attn_row_dot(\(column), \(row), \(d))\(factor);")])
            }
            return .loop(variable: "a", extent: extent, body: [
                .line("float acc = 0.0f;"),
                .loop(variable: "t", extent: d, body: [.line("acc += \(qt) * \(names.param(table))[\(entry)];")]),
                .line("\(out)[a] = acc\(factor);"),
            ])
        }
        return [
            .range(variable: "i", from: i0, to: "i1", body: [
                .line("float *\(relH) = \(plus(scores, CExpr(block * keys))), *\(relW) = \(relH) + \(r.keyHeight);"),
            ] + (host ? [
                .line("float \(column)[\(d)];"),
                .loop(variable: "t", extent: d, body: [.line("\(column)[t] = \(qt);")]),
            ] : []) + [
                dots(r.heightRel, relH, extent: r.keyHeight, position: qh),
                dots(r.widthRel, relW, extent: r.keyWidth, position: qw),
                .line("float *s = \(plus(scores, (i - i0) * keys));"),
                .loop(variable: "a", extent: r.keyHeight, body: [
                    .loop(variable: "j", extent: r.keyWidth, body: [.line("s[\(CExpr("a") * r.keyWidth + "j")] += \(relH)[a] + \(relW)[j];")])
                ]),
            ])
        ]
    }

    /// Rows of output computed together by matmul and attention.
    static let rowBlock = Plan.attentionRowBlock
    /// Attention's query rows per block in its GEMM form on 64-bit hosts.
    static let hostRowBlock = Plan.attentionHostRowBlock

    /// Queries in blocks of `rowBlock`: their scores against every key go to rows of scratch
    /// (rowBlock × L' floats), are turned into softmax weights there, and each output channel is
    /// a dot of those rows with a row of V, read once per block. Nothing of size L×L' exists.
    /// With relative positions, each query's dots with the rows of the H and W tables it reaches
    /// go to `keyHeight + keyWidth` floats after the score rows, and are added to its scores
    /// before the softmax: nothing of size L×L' is stored for them either. The GEMM form on
    /// hosts takes `hostRowBlock` queries at a time, its score rows in host-only scratch.
    func emitAttention(_ v: ValueID, scale: Float, relPos: RelPosLogits?, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let (q, k, val) = (instr.operands[0], instr.operands[1], instr.operands[2])
        let (d, keys, dv) = (program.shape(of: q).h, program.shape(of: k).w, program.shape(of: val).h)
        let out = instr.shape
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let b = nest.loop("b", out.c)
        let scores = "\(names.value(v))_scores"
        // The score scale as a factor, none when it is 1.
        let scaleBy = scale == 1 ? "" : " * \(cFloat(scale))"
        let (i, i0): (CExpr, CExpr) = ("i", "i0")
        let row = plus(scores, (i - i0) * keys)
        // Key j's score for query i.
        let scoreAt = { (j: CExpr) in "\(scores)[\((i - i0) * keys + j)]" }
        let block = Self.rowBlock
        let kRows = axisStride(k, along: .w) == 1
        let vRows = axisStride(val, along: .w) == 1
        let qti = { (t: CExpr) in self.element(q, n: n.index, c: b.index, h: t, w: i) }
        let rows = { (body: [Stmt]) -> Stmt in .range(variable: "i", from: "i0", to: "i1", body: body) }
        var body: [Stmt] = [
            .line("const int i1 = \(i0 + block) < \(out.w) ? \(i0 + block) : \(out.w);"),
            .line("float inv[\(block)];"),
        ]
        if kRows {
            body.append(rows([.loop(variable: "j", extent: keys, body: [.line("\(scoreAt("j")) = 0.0f;")])]))
            body.append(.loop(variable: "t", extent: d, body: [
                .line("const float *kr = \(address(k, n: n.index, c: b.index, h: "t"));"),
                rows([.line("attn_row_axpy(\(row), kr, \(qti("t"))\(scaleBy), \(keys));")]),
            ]))
        } else {
            body.append(rows([.loop(variable: "j", extent: keys, body: [
                .line("float acc = 0.0f;"),
                .loop(variable: "t", extent: d, body: [.line("acc += \(qti("t")) * \(element(k, n: n.index, c: b.index, h: "t", w: "j"));")]),
                .line("\(scoreAt("j")) = acc\(scaleBy);"),
            ])]))
        }
        let relRows = relPos.map { relPositionRows($0, q: q, n: n.index, b: b.index, d: d, keys: keys, scores: scores) } ?? []
        body += relRows
        body.append(rows([
            .line("float *s = \(row);"),
            .line("const float m = attn_row_max(s, \(keys));"),
            .line("float sum = 0.0f;"),
            .loop(variable: "j", extent: keys, body: [.line("const float e = \(softmaxExp("s[j] - m", count: keys));"), .line("s[j] = e;"), .line("sum += e;")]),
            .line("inv[\(i - i0)] = 1.0f / sum;"),
        ]))
        if vRows {
            body.append(.loop(variable: "e", extent: dv, body: [
                .line("const float *vr = \(address(val, n: n.index, c: b.index, h: "e"));"),
                rows([.line("\(element(v, n: n.index, c: b.index, h: "e", w: "i")) = inv[\(i - i0)] * attn_row_dot(\(row), vr, \(keys));")]),
            ]))
        } else {
            body.append(.loop(variable: "e", extent: dv, body: [rows([
                .line("float acc = 0.0f;"),
                .loop(variable: "j", extent: keys, body: [.line("acc += \(scoreAt("j")) * \(element(val, n: n.index, c: b.index, h: "e", w: "j"));")]),
                .line("\(element(v, n: n.index, c: b.index, h: "e", w: "i")) = inv[\(i - i0)] * acc;"),
            ])]))
        }
        nest.pre[nest.innermost].append(.stepped(variable: "i0", extent: out.w, step: CExpr(block), body: body))
        let contiguous = kRows && vRows && axisStride(q, along: .w) == 1 && axisStride(v, along: .w) == 1
        // The score rows: MCUs' block, or the host GEMM form's larger one.
        let declareScores = { (p: inout CPrinter, host: Bool) in
            let (region, rows) = host ? (self.plan.hostTemps[v]!, Self.hostRowBlock) : (self.plan.temps[v]!, block)
            p.line("float *\(scores) = \(plus("scratch", CExpr(region.offset))); /* [\(rows), \(keys)] */")
        }
        p.block("") { p in
            // The row helpers of the portable form.
            let rowHelpers: [Helper] = (kRows ? [.rowAxpy] : []) + [.rowMax] + (vRows ? [.rowDot] : [])
            guard contiguous else {
                declareScores(&p, false)
                for helper in rowHelpers + [.expf] { p.use(helper) }
                nest.print(into: &p)
                return
            }
            // On MCUs, tcc on x86-64 and hosts with relative positions: the block's scores as one
            // GEMM (Qᵀ·K), the softmax rows normalised in place, then the outputs as one more
            // (V·Pᵀ) straight into the output's columns.
            // The softmax rows: for gcc, clang and MCU compilers the exponentials alone (they
            // vectorise on hosts and Helium), then their sum by the row helper; for tcc both in
            // its packed-SSE helper.
            let softmax = { (tcc: Bool) -> [Stmt] in
                let exps: [Stmt] = tcc
                    ? [.line("const float sum = attn_row_exp_sum(s, m, \(keys));")]
                    : [
                        .loop(variable: "j", extent: keys, body: [.line("s[j] = \(self.softmaxExp("s[j] - m", count: keys));")]),
                        .line("const float sum = attn_row_sum(s, \(keys));"),
                    ]
                return [.line("float *s = \(row);"), .line("const float m = attn_row_max(s, \(keys));")] + exps + [
                    .line("const float inv = 1.0f / sum;"),
                    .loop(variable: "j", extent: keys, body: [.line("s[j] *= inv;")]),
                ]
            }
            // A nest over samples and heads, with the block's operands: its first query and output
            // column (i0), and the head's keys and values.
            let overHeads = { () -> (nest: Nest, hn: LoopIndex, hb: LoopIndex, qBlock: String, kBase: String, vBase: String, oBlock: String) in
                var nest = Nest()
                let hn = nest.loop("n", out.n)
                let hb = nest.loop("b", out.c)
                return (
                    nest, hn, hb,
                    plus(self.pointer(q), self.index(q, n: hn.index, c: hb.index) + i0),
                    self.address(k, n: hn.index, c: hb.index),
                    self.address(val, n: hn.index, c: hb.index),
                    plus(self.pointer(v), self.index(v, n: hn.index, c: hb.index) + i0))
            }
            let qw = self.program.shape(of: q).w
            // `host`: the 64-bit hosts' larger query block in host-only scratch; MCUs keep theirs.
            let gemmNest = { (tcc: Bool, host: Bool) -> Nest in
                let (heads, hn, hb, qBlock, kBase, vBase, oBlock) = overHeads()
                var nest = heads
                let block = host ? Self.hostRowBlock : Self.rowBlock
                nest.pre[nest.innermost].append(.stepped(variable: "i0", extent: out.w, step: CExpr(block), body: [
                    .line("const int i1 = \(i0 + block) < \(out.w) ? \(i0 + block) : \(out.w);"),
                    .line("attn_gemm_nn(\(scores), \(keys), \(qBlock), 1, \(qw), \(kBase), \(keys), i1 - i0, \(keys), \(d), (const float *)0, \(cFloat(scale)));"),
                ] + (relPos.map { self.relPositionRows($0, q: q, n: hn.index, b: hb.index, d: d, keys: keys, scores: scores, host: host) } ?? []) + [
                    rows(softmax(tcc)),
                    .line("attn_gemm_nt(\(oBlock), \(out.w), 1, \(vBase), \(keys), \(scores), \(keys), \(dv), i1 - i0, \(keys), 1.0f);"),
                ]))
                return nest
            }
            // gcc and clang hosts without relative positions: the block's scores transposed, in
            // attn_gemm_panel's panels, each panel's softmax numerators and sums in one pass after
            // its maximum, 1/sum applied to the outputs (attend.c.tmpl, one call per block).
            let attendNest = { () -> Nest in
                let (heads, _, _, qBlock, kBase, vBase, oBlock) = overHeads()
                var nest = heads
                let block = Self.hostRowBlock
                nest.pre[nest.innermost].append(.stepped(variable: "i0", extent: out.w, step: CExpr(block), body: [
                    .line("const int i1 = \(i0 + block) < \(out.w) ? \(i0 + block) : \(out.w);"),
                    .line("attn_attend(\(oBlock), \(out.w), \(qBlock), \(qw), \(kBase), \(keys), \(vBase), \(keys), \(d), \(dv), \(keys), i1 - i0, \(cFloat(scale)), \(scores));"),
                ]))
                return nest
            }
            HostBranch.printGEMM(
                options.target,
                gemm: { p in
                    let vectorForm = { (p: inout CPrinter, host: Bool) in
                        // attn_attend brings its own exponential (Helper.needs).
                        if host && relPos == nil {
                            p.use(.attend)
                            declareScores(&p, true)
                            attendNest().print(into: &p)
                            return
                        }
                        // The hosts' relative-position rows are row dots; the MCUs' are loops.
                        for helper in [Helper.gemmNN, .rowMax, .expf, .rowSum, .gemmNT] + (relPos == nil || !host ? [] : [.rowDot]) { p.use(helper) }
                        declareScores(&p, host)
                        gemmNest(false, host).print(into: &p)
                    }
                    p.split(
                        [.vectorHost], { p in vectorForm(&p, true) },
                        else: { p in
                            p.split(
                                [.other], { p in vectorForm(&p, false) },
                                else: { p in
                                    for helper in [Helper.gemmNN, .rowMax, .expf, .rowExpSum, .gemmNT] + (relPos == nil ? [] : [.rowDot]) { p.use(helper) }
                                    declareScores(&p, true)
                                    gemmNest(true, true).print(into: &p)
                                })
                        })
                },
                other: { p in
                    declareScores(&p, false)
                    for helper in rowHelpers + [.expf] { p.use(helper) }
                    nest.print(into: &p)
                }, into: &p)
        }
    }
}

extension CEmitter {
    /// `(M ⊗ I)·X` (left) or `X·(M ⊗ I)` (right) per (n, c): each output element a dot of b
    /// entries of M's row (or column) with X's elements t rows (columns) apart, so the Kronecker
    /// matrix is never formed. The output's blocked axis runs as (block, offset) loops, the other
    /// axis innermost for the left product so its rows are written in order.
    func emitBlockMatmul(_ v: ValueID, side: MatrixSide, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let (x, m) = (instr.operands[0], instr.operands[1])
        let out = instr.shape
        let ms = program.shape(of: m)
        let b = ms.h
        var nest = Nest()
        let n = nest.loop("n", out.n).index
        let c = nest.loop("c", out.c).index
        let g = c / (out.c / ms.c)
        let i = CExpr.variable("i")
        let (mEntry, xEntry, h, w): (String, String, CExpr, CExpr)
        switch side {
        case .left:
            let t = out.h / b
            let block = nest.loop("bk", b).index
            let offset = nest.loop("a", t).index
            let col = nest.loop("w", out.w).index
            mEntry = element(m, n: n, c: g, h: block, w: i)
            xEntry = element(x, n: n, c: c, h: i * t + offset, w: col)
            (h, w) = (block * t + offset, col)
        case .right:
            let t = out.w / b
            let row = nest.loop("h", out.h).index
            let block = nest.loop("bk", b).index
            let offset = nest.loop("a", t).index
            mEntry = element(m, n: n, c: g, h: i, w: block)
            xEntry = element(x, n: n, c: c, h: row, w: i * t + offset)
            (h, w) = (row, block * t + offset)
        }
        nest.pre[nest.innermost].append(contentsOf: [
            .line("float acc = 0.0f;"),
            .loop(variable: "i", extent: b, body: [.line("acc += \(mEntry) * \(xEntry);")]),
            .line("\(element(v, n: n, c: c, h: h, w: w)) = acc;"),
        ])
        guard let rows = blockMatmulRows(v, side: side) else { return p.block("") { p in nest.print(into: &p) } }
        p.block("") { p in
            p.split(
                [.tcc],
                { p in
                    p.use(.rowZero)
                    switch side {
                    case .left: p.use(.rowAxpy)
                    case .right: p.use(.rowsAxpy)
                    }
                    rows.print(into: &p)
                }, else: { p in nest.print(into: &p) })
        }
    }

    /// The block products under tcc, when both planes are dense, in the nest's order of sums.
    /// Left: each block row of the output (its t rows of W pixels, contiguous) is zeroed, then
    /// gets one packed-SSE axpy per block of x's rows. Right: the plane is zeroed, then each
    /// block column of it (H rows of t pixels) gets one strided axpy per block column of x.
    private func blockMatmulRows(_ v: ValueID, side: MatrixSide) -> Nest? {
        let instr = program.instrs[v - 1]
        let (x, m) = (instr.operands[0], instr.operands[1])
        let out = instr.shape
        let ms = program.shape(of: m)
        let b = ms.h
        guard plan.layouts[v]?.hwStride == 1, plan.layouts[x]?.hwStride == 1, !plan.views.contains(v), !plan.views.contains(x)
        else { return nil }
        var nest = Nest()
        let n = nest.loop("n", out.n).index
        let c = nest.loop("c", out.c).index
        let g = c / (out.c / ms.c)
        let i = CExpr.variable("i")
        if case .right = side {
            let t = out.w / b
            nest.pre[nest.innermost].append(.line("attn_row_zero(\(address(v, n: n, c: c)), \(out.plane));"))
            let block = nest.loop("bk", b).index
            nest.pre[nest.innermost].append(
                .loop(variable: "i", extent: b, body: [
                    .line("attn_rows_axpy(\(address(v, n: n, c: c, w: block * t)), \(out.w), \(address(x, n: n, c: c, w: i * t)), "
                        + "\(program.shape(of: x).w), \(element(m, n: n, c: g, h: i, w: block)), \(out.h), \(t));")
                ]))
            return nest
        }
        let t = out.h / b
        let block = nest.loop("bk", b).index
        let length = t * out.w
        nest.pre[nest.innermost].append(contentsOf: [
            .line("float *y = \(address(v, n: n, c: c, h: block * t));"),
            .line("attn_row_zero(y, \(length));"),
            .loop(variable: "i", extent: b, body: [
                .line("attn_row_axpy(y, \(address(x, n: n, c: c, h: i * t)), \(element(m, n: n, c: g, h: block, w: i)), \(length));")
            ]),
        ])
        return nest
    }
}
