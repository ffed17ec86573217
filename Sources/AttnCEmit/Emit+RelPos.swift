// The lambda layer's relative-position weights (`Op.relPosWeights`). Query pixels of one column
// wi meet, at one row offset d = hj − hi, the same W-wide window of each table plane
// (`table[k][d + r][r − wi …]`): the result's rows for those queries are one GEMM
// [rows × K]·[K × W], its A the queries' channels (strided), its B the window rows read in place
// (the table's planes apart), its C rows one query apart plus one key row. Every target runs
// the GEMM helper; a result stored with strided columns takes the plain loops.

import AttnIR
import AttnPlan

extension CEmitter {
    func emitRelPosWeights(_ v: ValueID, table: ParamID, into p: inout CPrinter) {
        let q = program.instrs[v - 1].operands[0]
        let (xs, out) = (program.shape(of: q), program.shape(of: v))
        let (h, w, k) = (xs.h, xs.w, xs.c / out.c)
        let side = program.params[table].dims[2]
        let r = (side - 1) / 2
        let tbl = names.param(table)
        let (qh, qw, qc) = (axisStride(q, along: .h), axisStride(q, along: .w), axisStride(q, along: .c))
        let (vh, vw) = (axisStride(v, along: .h), axisStride(v, along: .w))
        let (n, g): (CExpr, CExpr) = ("n", "g")
        guard vw == 1 else {
            // y[n, g, hi·W + wi, hj·W + wj] = Σ_k q[n, g·K + k, hi, wi] · table[k][hj − hi + r][wj − wi + r]
            let (hi, wi, hj, wj, t): (CExpr, CExpr, CExpr, CExpr, CExpr) = ("hi", "wi", "hj", "wj", "t")
            let sum: [Stmt] = [
                .line("float acc = 0.0f;"),
                .loop(variable: "t", extent: k, body: [
                    .line("acc += \(element(q, n: n, c: g * k + t, h: hi, w: wi)) * \(tbl)[\((t * side + hj - hi + r) * side + wj - wi + r)];")
                ]),
                .line("\(element(v, n: n, c: g, h: hi * w + wi, w: hj * w + wj)) = acc;"),
            ]
            let nest = Stmt.loop(variable: "n", extent: out.n, body: [
                .loop(variable: "g", extent: out.c, body: [
                    .loop(variable: "hi", extent: h, body: [
                        .loop(variable: "wi", extent: w, body: [
                            .loop(variable: "hj", extent: h, body: [.loop(variable: "wj", extent: w, body: sum)])
                        ])
                    ])
                ])
            ])
            return p.block("") { p in nest.print(into: &p) }
        }
        let (wi, d, hi0, hi, t): (CExpr, CExpr, CExpr, CExpr, CExpr) = ("wi", "d", "hi0", "hi", "t")
        let c = plus(address(v, n: n, c: g), hi0 * (w * vh) + wi * vh + (hi0 + d) * w)
        let b = plus(tbl, (d + r) * side - wi + r)
        p.use(.gemmNN)
        // A: the column's queries in place (K floats a row, strided), or on 64-bit hosts copied
        // once per column to the stack with K contiguous, which spares each call's copy of A.
        let gemm = { (a: String, ars: Int, acs: Int) -> [Stmt] in
            [
                .line("const int hi0 = d < 0 ? -d : 0;"),
                .line("attn_gemm_nn(\(c), \(w * vh + w), \(a), \(ars), \(acs), \(b), \(side * side), d < 0 ? \(h) + d : \(h) - d, \(w), \(k), (const float *)0, 1.0f);"),
            ]
        }
        let column = { (body: [Stmt]) -> Stmt in
            .loop(variable: "n", extent: out.n, body: [.loop(variable: "g", extent: out.c, body: [.loop(variable: "wi", extent: w, body: body)])])
        }
        let strided = column([.range(variable: "d", from: CExpr(1 - h), to: CExpr(h), body: gemm(plus(address(q, n: n, c: g * k), hi0 * qh + wi * qw), qh, qc))])
        guard qc != 1, h * k <= Self.relPosColumnFloats else { return p.block("") { p in strided.print(into: &p) } }
        let copied = column([
            .line("float qa[\(h * k)];"),
            .loop(variable: "hi", extent: h, body: [
                .loop(variable: "t", extent: k, body: [.line("qa[\(hi * k + t)] = \(element(q, n: n, c: g * k + t, h: hi, w: wi));")])
            ]),
            .range(variable: "d", from: CExpr(1 - h), to: CExpr(h), body: gemm(plus("qa", hi0 * k), k, 1)),
        ])
        p.block("") { p in
            HostBranch.printWide(wide: { p in copied.print(into: &p) }, other: { p in strided.print(into: &p) }, into: &p)
        }
    }

    /// The largest column of queries (H·K floats) copied to the stack.
    static let relPosColumnFloats = 4096
}
