// A pointwise op of a full-size value and the nearest upsampling of a smaller one by whole
// factors (Gather-Excite's `x · resize(gate)`): the upsampled value is never stored. Each
// source element meets the block of output elements it covers where it is read, so the pass
// reads x and the small map once and writes the output once, where storing the upsampling
// first wrote and read a full-size value more.

import AttnIR
import AttnPlan

extension CEmitter {
    func emitUpsampledMap(_ v: ValueID, upsample u: ValueID, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        guard case .binary(let op) = instr.op else { preconditionFailure("an upsampled map is a binary op") }
        let small = program.instrs[u - 1].operands[0]
        let upsampledFirst = instr.operands[0] == u
        let other = upsampledFirst ? instr.operands[1] : instr.operands[0]
        let out = instr.shape
        let ss = program.shape(of: small)
        let (fh, fw) = (out.h / ss.h, out.w / ss.w)
        let symbol: String
        let code: RowMapOp
        switch op {
        case .add: (symbol, code) = ("+", .add)
        case .sub: (symbol, code) = ("-", .sub)
        case .mul: (symbol, code) = ("*", .mul)
        }
        // `e op x` or `x op e` in the op's own operand order.
        let apply = { (e: String, x: String) in upsampledFirst ? "\(e) \(symbol) \(x)" : "\(x) \(symbol) \(e)" }
        var nest = Nest()
        let n = nest.loop("n", out.n).index
        let c = nest.loop("c", out.c).index
        let i = nest.loop("i", ss.h).index
        let r = nest.loop("r", fh).index
        let j = nest.loop("j", ss.w).index
        let y = i * fh + r
        // The source element once, then its fw columns: written out, gcc makes them one shuffle
        // and vector op per source vector.
        var body: [Stmt] = [.line("const float e = \(element(small, n: n, c: c, h: i, w: j));")]
        let column = { (b: CExpr) in j * fw + b }
        if fw <= 4 {
            for b in 0..<fw {
                let x = element(other, n: n, c: c, h: y, w: column(CExpr(b)))
                body.append(.line("\(element(v, n: n, c: c, h: y, w: column(CExpr(b)))) = \(apply("e", x));"))
            }
        } else {
            let x = element(other, n: n, c: c, h: y, w: column("b"))
            body.append(.loop(variable: "b", extent: fw, body: [.line("\(element(v, n: n, c: c, h: y, w: column("b"))) = \(apply("e", x));")]))
        }
        nest.pre[nest.innermost].append(contentsOf: body)
        let dense = [v, other].allSatisfy { plan.layouts[$0]!.hwStride == 1 } && out.w > 1 && out.w <= RowChunks.maxFloats
        guard dense, p.compilers.contains(.tcc) else { return p.block("") { p in nest.print(into: &p) } }
        // tcc on x86-64: each source row spread into one output row on the stack, then one packed
        // `attn_row_map` call per output row it covers (the scalar loop ran an element at a time).
        var rows = Nest()
        let rn = rows.loop("n", out.n).index
        let rc = rows.loop("c", out.c).index
        let ri = rows.loop("i", ss.h).index
        rows.pre[rows.innermost].append(contentsOf: [
            .line("float row[\(out.w)];"),
            .line("const float *src = \(address(small, n: rn, c: rc, h: ri));"),
            .loop(variable: "j", extent: ss.w, body: [
                .loop(variable: "b", extent: fw, body: [.line("row[\(CExpr("j") * fw + "b")] = src[j];")])
            ]),
            .loop(variable: "r", extent: fh, body: [
                .line("attn_row_map(\(address(v, n: rn, c: rc, h: ri * fh + "r")), "
                    + (upsampledFirst ? "row, \(address(other, n: rn, c: rc, h: ri * fh + "r"))" : "\(address(other, n: rn, c: rc, h: ri * fh + "r")), row")
                    + ", 0.0f, \(code.rawValue), \(out.w));")
            ]),
        ])
        splitForTCC(
            into: &p,
            chunked: { p in
                p.use(.rowMap)
                p.block("") { p in rows.print(into: &p) }
            }, scalar: { p in p.block("") { p in nest.print(into: &p) } })
    }
}
