// Stored elementwise values and copies: one loop nest over the value's shape writing
// `dst[i] = f(operands at i)`, with every operand read inline or loaded.

import AttnIR
import AttnPlan

extension CEmitter {
    /// Stores the elementwise instruction `v` to its layout: under tcc on x86-64 in chunks
    /// through `attn_row_map` where the map allows (RowMap.swift).
    func emitMap(_ v: ValueID, into p: inout CPrinter) {
        guard p.compilers.contains(.tcc), let rows = mapRows(v) else { return emitScalarMap(v, into: &p) }
        splitForTCC(
            into: &p,
            chunked: { p in
                p.use(rows.rows?.plane == nil ? .rowMap : .rowsMap)
                self.finish(rows, into: &p)
            }, scalar: { p in self.emitScalarMap(v, into: &p) })
    }

    /// The scalar loop: `dst[element] = f(operands at element)`.
    private func emitScalarMap(_ v: ValueID, into p: inout CPrinter) {
        let split = plan.splitNests[v]
        let instr = program.instrs[v - 1]
        var values = startNest(over: instr.shape, channelsLast: plan.layouts[v]!.cStride == 1, split: split)
        let (expr, _) = values.compute(instr, v)
        store(expr, to: v, shape: instr.shape, &values)
        finish(values, into: &p)
    }

    /// Copies each operand of a concat into its channel slice (when they could not be placed there).
    func emitConcatCopy(_ v: ValueID, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let layout = plan.layouts[v]!
        var start = 0
        for operand in instr.operands {
            let s = program.shape(of: operand)
            let first = start
            let scalar = { (p: inout CPrinter) in
                var values = self.startNest(over: s)
                let (expr, _) = values.value(operand)
                var o = values.offset(Shape(n: s.n, c: instr.shape.c, h: s.h, w: s.w), layout)
                o.constant += first * layout.cStride
                let dst = values.access(self.pointer(v), o, writable: true)
                values.emit("\(dst.expr) = \(expr);", at: values.nest.innermost)
                self.finish(values, into: &p)
            }
            // A stored operand whose sample and slice are each one contiguous run: tcc copies the
            // run in its packed helper (its scalar loop was a tenth of lambda's tcc time).
            if p.compilers.contains(.tcc), let from = plan.layouts[operand], from.hwStride == 1, from.cStride == s.plane,
                layout.hwStride == 1, layout.cStride == s.plane, s.c * s.plane >= RowChunks.minElements, s.c * s.plane < Int(Int32.max)
            {
                let n: CExpr = s.n == 1 ? .zero : "n"
                let copy = Stmt.line("attn_row_copy(\(self.address(v, n: n, c: CExpr(first))), \(self.address(operand, n: n)), \(s.c * s.plane));")
                p.split([.tcc], { p in
                    p.use(.rowCopy)
                    (s.n == 1 ? copy : Stmt.loop(variable: "n", extent: s.n, body: [copy])).print(into: &p)
                }, else: scalar)
            } else {
                scalar(&p)
            }
            start += s.c
        }
    }

    /// A nest over n, c and the flat H·W index of `shape`; channels innermost when the
    /// destination is NHWC, so stores stay contiguous.
    func startNest(over shape: Shape, channelsLast: Bool = false, split: Bool = false) -> NestValues {
        var nest = Nest()
        var axes = Axes()
        axes.n = nest.loop("n", shape.n)
        if split {
            axes.c = nest.loop("c", shape.c)
            axes.split = (nest.loop("h", shape.h), nest.loop("w", shape.w))
        } else if channelsLast && shape.c > 1 && shape.plane > 1 {
            axes.hw = nest.loop("hw", shape.plane)
            axes.c = nest.loop("c", shape.c)
        } else {
            axes.c = nest.loop("c", shape.c)
            axes.hw = nest.loop("hw", shape.plane)
        }
        return NestValues(program, plan, names, nest: nest, axes: axes)
    }

    /// `dst[element] = expr;` in the innermost loop.
    func store(_ expr: String, to v: ValueID, shape: Shape, _ values: inout NestValues) {
        let dst = values.access(pointer(v), values.offset(shape, plan.layouts[v]!), writable: true)
        values.emit("\(dst.expr) = \(expr);", at: values.nest.innermost)
    }

    /// Prints a finished nest, in its own scope when it declares anything outside its loops.
    func finish(_ values: NestValues, into p: inout CPrinter) {
        pointers.values.formUnion(values.storedReads)
        let nest = values.nest
        if nest.pre[0].isEmpty && nest.post[0].isEmpty {
            nest.print(into: &p)
        } else {
            p.block("") { p in nest.print(into: &p) }
        }
    }
}
