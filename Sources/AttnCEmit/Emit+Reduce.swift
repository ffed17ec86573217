// Pools. Sibling pools over the same operand share one pass (see GroupReductions): global pools
// keep one accumulator per pool in registers; channel pools accumulate into their output planes.

import AttnIR
import AttnPlan

extension CEmitter {
    /// Global pools over H×W of one operand, all in one pass.
    func emitGlobalPools(_ group: [ValueID], into p: inout CPrinter) {
        let operand = program.instrs[group[0] - 1].operands[0]
        let shape = program.shape(of: operand)
        var values = startNest(over: shape)
        let outer = values.axes.hw.depth == 0 ? values.nest.innermost : values.nest.innermost - 1
        for v in group {
            let start = poolStart(v)
            values.emit("float \(names.value(v))_acc = \(start);", at: outer)
        }
        let (x, _) = values.value(operand)
        for v in group { values.emit(accumulate(v, "\(names.value(v))_acc", x), at: values.nest.innermost) }
        for v in group {
            let dst = values.access(pointer(v), values.offset(program.shape(of: v), plan.layouts[v]!), writable: true)
            let result = "\(names.value(v))_acc" + finalScale(v, count: shape.plane)
            values.nest.post[outer].append(.line("\(dst.expr) = \(result);"))
        }
        finish(values, into: &p)
    }

    /// Pools over C of one operand, all in one pass, accumulating into the output planes.
    func emitChannelPools(_ group: [ValueID], into p: inout CPrinter) {
        // tcc runs the dense mean-and-max pair as packed-SSE row calls; the nest is gcc's to
        // vectorise and the MCUs' as before.
        if p.compilers.contains(.tcc), let chunked = channelMeanChunks(group) {
            return splitForTCC(
                into: &p,
                chunked: { p in
                    p.use(.rowMap)
                    p.use(.rowZero)
                    p.use(.rowScale)
                    self.finish(chunked, into: &p)
                }, scalar: { p in self.emitChannelPoolNest(group, into: &p) })
        }
        guard let rows = channelPoolRows(group) else { return emitChannelPoolNest(group, into: &p) }
        p.split(
            [.tcc],
            { p in
                p.use(.rowScaleSumMax)
                p.use(.rowScale)
                finish(rows, into: &p)
            }, else: { p in emitChannelPoolNest(group, into: &p) })
    }

    private func emitChannelPoolNest(_ group: [ValueID], into p: inout CPrinter) {
        let operand = program.instrs[group[0] - 1].operands[0]
        let shape = program.shape(of: operand)
        var values = startNest(over: shape)
        let planeDepth = values.axes.n.depth
        let plane = shape.plane
        for v in group {
            let base = rowPointer(v, &values, at: planeDepth)
            let start = poolStart(v)
            values.nest.pre[planeDepth].append(.loop(variable: "hw", extent: plane, body: [.line("\(base)[hw] = \(start);")]))
            if case .mean = poolModeOf(v), shape.c > 1 {
                let scale = cFloat(1 / Float(shape.c))
                values.nest.post[planeDepth].append(.loop(variable: "hw", extent: plane, body: [.line("\(base)[hw] *= \(scale);")]))
            }
        }
        let (x, _) = values.value(operand)
        let hw = values.axes.hw.index
        for v in group {
            values.emit(accumulate(v, "\(rowName(v))[\(hw)]", x), at: values.nest.innermost)
        }
        finish(values, into: &p)
    }

    /// tcc's form of a lone channel mean of an inline map (the lambda layer's K·q·(P + content)):
    /// the map computed a chunk of the plane at a time by `attn_row_map` (RowMap.swift), each
    /// chunk added into the output plane by one more call, the plane scaled once at the end, in
    /// the scalar nest's order of sums. nil when the map has no chunked form.
    private func channelMeanChunks(_ group: [ValueID]) -> NestValues? {
        guard group.count == 1, case .mean = poolModeOf(group[0]) else { return nil }
        let v = group[0]
        let operand = program.instrs[v - 1].operands[0]
        let shape = program.shape(of: operand)
        guard operand != 0, plan.isInline(operand), !plan.splitNests[operand], shape.count >= RowChunks.minElements, shape.plane > 1,
            plan.layouts[v]!.hwStride == 1
        else { return nil }
        for chunk in RowChunks.chunks {
            var values = startNest(over: shape)
            let planeDepth = values.axes.n.depth
            guard values.chunkInnermost(chunk, libm: options.libm), let rows = values.rows else { return nil }
            let base = rowPointer(v, &values, at: planeDepth)
            // The plane's zeroing and final scale in the packed helpers too (the same multiply):
            // tcc's scalar loops over them were a tenth of lambda's tcc time.
            values.nest.pre[planeDepth].append(.line("attn_row_zero(\(base), \(shape.plane));"))
            if shape.c > 1 {
                values.nest.post[planeDepth].append(.line("attn_row_scale(\(base), \(base), \(cFloat(1 / Float(shape.c))), \(shape.plane));"))
            }
            let (x, depth) = values.value(operand)
            guard depth == values.nest.innermost, let done = values.rows, !done.failed else { continue }
            let at = "&\(base)[\(values.axes.hw.index)]"
            values.emit("attn_row_map(\(at), \(at), \(x), 0.0f, \(RowMapOp.add.rawValue), \(rows.length));", at: values.nest.innermost)
            return values
        }
        return nil
    }

    private func rowName(_ v: ValueID) -> String { "\(names.value(v))_plane" }

    /// `float *<v>_plane = <ptr> + n·nStride;` at the plane's depth.
    private func rowPointer(_ v: ValueID, _ values: inout NestValues, at depth: Int) -> String {
        let layout = plan.layouts[v]!
        let shape = program.shape(of: v)
        let offset = shape.n > 1 ? values.axes.n.index * layout.nStride : .zero
        values.emit("float *\(rowName(v)) = \(plus(pointer(v), offset));", at: depth)
        return rowName(v)
    }


    private func poolStart(_ v: ValueID) -> String {
        switch poolModeOf(v) {
        case .mean: return "0.0f"
        case .max: return "-INFINITY"
        }
    }

    /// One accumulation step; max keeps `v > m ? v : m`, as the interpreter does.
    private func accumulate(_ v: ValueID, _ acc: String, _ x: String) -> String {
        switch poolModeOf(v) {
        case .mean: return "\(acc) += \(x);"
        case .max: return "\(acc) = \(x) > \(acc) ? \(x) : \(acc);"
        }
    }

    private func finalScale(_ v: ValueID, count: Int) -> String {
        switch poolModeOf(v) {
        case .mean: return count > 1 ? " * \(cFloat(1 / Float(count)))" : ""
        case .max: return ""
        }
    }
}

extension CEmitter {
    /// Whether `v` is a mean over W of rows contiguous along W into values contiguous along H:
    /// tcc then sums each plane's rows in one packed-SSE call (`sumRows`).
    func sumsRows(_ v: ValueID) -> Bool {
        let instr = program.instrs[v - 1]
        guard case .axisPool(.mean, .w) = instr.op else { return false }
        let x = instr.operands[0]
        return program.shape(of: x).w > 1 && axisStride(x, along: .w) == 1 && axisStride(v, along: .h) == 1
    }

    /// A mean over W as one `attn_rows_sum` call per (n, c) plane: a call and a scalar division
    /// per row were most of the pass under tcc.
    func sumRows(_ v: ValueID, into p: inout CPrinter) {
        let x = program.instrs[v - 1].operands[0]
        let s = program.shape(of: x)
        var nest = Nest()
        let n = nest.loop("n", s.n)
        let c = nest.loop("c", s.c)
        p.use(.rowsSum)
        nest.pre[nest.innermost] = [
            .line("attn_rows_sum(\(address(v, n: n.index, c: c.index)), \(address(x, n: n.index, c: c.index)), \(s.h), \(s.w), \(s.w).0f);")
        ]
        p.block("") { p in nest.print(into: &p) }
    }
}
