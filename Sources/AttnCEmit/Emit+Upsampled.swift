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
        // tcc on x86-64: the upsampled plane (or, when a plane would not fit the stack, each
        // output row) on the stack, each source row spread once and copied to the rows it covers
        // (`attn_row_copy`), then one packed `attn_row_map` call for the plane (or row): one call
        // per short row cost a quarter more than storing the upsampling had.
        let wholePlane = out.plane <= RowChunks.maxFloats
        let spanned = wholePlane ? out.plane : out.w
        var rows = Nest()
        let rn = rows.loop("n", out.n).index
        let rc = rows.loop("c", out.c).index
        let ri = wholePlane ? CExpr.zero : rows.loop("i", ss.h).index
        // A source row spread into its first output row in packed SSE (`attn_row_spread`): tcc's
        // store per element there cost more than the map itself.
        let spread = { (i: CExpr, base: CExpr) -> [Stmt] in
            let src = self.address(small, n: rn, c: rc, h: i)
            return [fw == 1
                ? .line("attn_row_copy(up + \(base), \(src), \(ss.w));")
                : .line("attn_row_spread(up + \(base), \(src), \(ss.w), \(fw));")]
        }
        let map = { (y: CExpr, count: Int) -> Stmt in
            let (dst, x) = (self.address(v, n: rn, c: rc, h: y), self.address(other, n: rn, c: rc, h: y))
            return .line("attn_row_map(\(dst), " + (upsampledFirst ? "up, \(x)" : "\(x), up") + ", 0.0f, \(code.rawValue), \(count));")
        }
        var planeBody: [Stmt] = [.line("float up[\(spanned)];")]
        if wholePlane {
            let first = CExpr("i") * (fh * out.w)
            let copy = { (r: CExpr) -> Stmt in .line("attn_row_copy(up + \(first + (r + 1) * out.w), up + \(first), \(out.w));") }
            let copies: [Stmt] = fh == 1 ? [] : fh == 2 ? [copy(.zero)] : [.loop(variable: "r", extent: fh - 1, body: [copy("r")])]
            planeBody.append(.loop(variable: "i", extent: ss.h, body: spread("i", first) + copies))
            planeBody.append(map(.zero, out.plane))
        } else {
            planeBody += spread(ri, .zero)
            planeBody.append(.loop(variable: "r", extent: fh, body: [map(ri * fh + "r", out.w)]))
        }
        rows.pre[rows.innermost].append(contentsOf: planeBody)
        splitForTCC(
            into: &p,
            chunked: { p in
                p.use(.rowMap)
                if (wholePlane && fh > 1) || fw == 1 { p.use(.rowCopy) }
                if fw > 1 { p.use(.rowSpread) }
                p.block("") { p in rows.print(into: &p) }
            }, scalar: { p in p.block("") { p in nest.print(into: &p) } })
    }
}
