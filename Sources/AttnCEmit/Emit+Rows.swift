// The hot passes of the memory-bound blocks, chosen by the plan's kernel pass and emitted as calls to row
// helpers (Templates/c/row_*.c.tmpl): portable C with independent accumulators for gcc, clang
// and MCUs, packed SSE through tcc's inline assembler for the JIT. One call per (n, c) row.

import AttnIR
import AttnPlan

extension CEmitter {
    /// Global mean/max pools of a stored operand: one helper call per row.
    func emitPoolRows(_ group: [ValueID], into p: inout CPrinter) {
        let operand = program.instrs[group[0] - 1].operands[0]
        let shape = program.shape(of: operand)
        let modes = group.map(poolModeOf)
        var values = startNest(over: Shape(n: shape.n, c: shape.c, h: 1, w: 1))
        let row = rowPointer(operand, shape, &values)
        let depth = values.nest.innermost
        let scale = 1 / Float(shape.plane)
        // Each mode's value by a switch, not a [PoolMode: String]: a process's first dictionary
        // keyed by a type looks up its Hashable conformance, a scan of every conformance record
        // (a tenth of a millisecond, paid by the first JIT call of a process).
        if modes.count == 2 {
            values.emit("float sum, max;", at: depth)
            values.emit("attn_row_sum_max(\(row), \(shape.plane), &sum, &max);", at: depth)
        }
        func result(_ mode: PoolMode) -> String {
            switch mode {
            case .mean: return cTimes(modes.count == 2 ? "sum" : "attn_row_sum(\(row), \(shape.plane))", scale)
            case .max: return modes.count == 2 ? "max" : "attn_row_max(\(row), \(shape.plane))"
            }
        }
        for v in group {
            let dst = values.access(pointer(v), values.offset(program.shape(of: v), plan.layouts[v]!), writable: true)
            values.emit("\(dst.expr) = \(result(poolModeOf(v)));", at: depth)
        }
        let perRow: Helper = modes.count == 2 ? .rowSumMax : modes == [.mean] ? .rowSum : .rowMax
        guard let blocked = blockedPoolCall(group, operand: operand, scale: cFloat(scale)) else {
            p.use(perRow)
            finish(values, into: &p)
            return
        }
        p.block("") { p in
            HostBranch.print(
                host: { p in
                    p.use(.rowsPool)
                    p.line("attn_rows_pool(\(blocked));")
                },
                other: { p in
                    // tcc's many-row form on x86-64 (a call per row paid its CPU check, tails
                    // and folds every row), the row calls elsewhere.
                    HostBranch.printTCCAsm(
                        options.target,
                        asm: { p in
                            p.use(.poolRows)
                            p.line("attn_pool_rows(\(blocked));")
                        },
                        other: { p in
                            p.use(perRow)
                            values.nest.print(into: &p)
                        }, into: &p)
                }, into: &p)
        }
    }

    /// The arguments of one `attn_rows_pool` (or tcc's `attn_pool_rows`) call over all N·C rows,
    /// when there are at least 8 of them, the operand's rows follow each other and the pooled
    /// values are dense vectors.
    private func blockedPoolCall(_ group: [ValueID], operand: ValueID, scale: String) -> String? {
        let shape = program.shape(of: operand)
        let layout = plan.layouts[operand]!
        let rows = shape.n * shape.c
        guard rows >= 8, shape.c == 1 || layout.cStride == shape.plane, shape.n == 1 || layout.nStride == rows / shape.n * shape.plane
        else { return nil }
        var mean: String?
        var max: String?
        for v in group {
            let l = plan.layouts[v]!
            guard shape.c == 1 || l.cStride == 1, shape.n == 1 || l.nStride == shape.c else { return nil }
            switch poolModeOf(v) {
            case .mean: mean = pointer(v)
            case .max: max = pointer(v)
            }
        }
        return "\(pointer(operand)), \(rows), \(shape.plane), \(mean == nil ? "1.0f" : scale), \(mean ?? "(float *)0"), \(max ?? "(float *)0")"
    }

    /// CBAM's gated channel pools: mean and max over C of `g · x`, accumulated row by row.
    func emitGatedChannelPoolRows(_ group: [ValueID], gate: ValueID, row x: ValueID, into p: inout CPrinter) {
        let operand = program.instrs[group[0] - 1].operands[0]
        let shape = program.shape(of: operand)
        let mean = group.first { poolModeOf($0) == .mean }!
        let maxPool = group.first { poolModeOf($0) == .max }!
        let values = channelPoolRowsNest(mean: mean, max: maxPool, row: x, gate: { $0.value(gate).expr }, shape: shape)
        let blocked = { (name: String) in self.blockedGatedPoolCall(name, mean: mean, max: maxPool, gate: gate, row: x, shape: shape) }
        guard let host = blocked("attn_rows_scale_pool"), let tcc = blocked("attn_gated_pool_rows") else {
            p.use(.rowScaleSumMax)
            finish(values, into: &p)
            return
        }
        p.block("") { p in
            HostBranch.print(
                host: { p in
                    p.use(.rowsScalePool)
                    host.print(into: &p)
                },
                other: { p in
                    // tcc's form on x86-64 keeps each block of pixels in registers across the
                    // channels; the row calls elsewhere.
                    HostBranch.printTCCAsm(
                        options.target,
                        asm: { p in
                            p.use(.gatedPoolRows)
                            tcc.print(into: &p)
                        },
                        other: { p in
                            p.use(.rowScaleSumMax)
                            pointers.values.formUnion(values.storedReads)
                            values.nest.print(into: &p)
                        }, into: &p)
                }, into: &p)
        }
    }

    /// The plain mean and max channel pools of a stored operand (gate 1, exact) as tcc's row
    /// calls: packed SSE instead of a scalar pass per channel. Nil unless the operand's rows and
    /// the pooled planes are dense and longer than one.
    func channelPoolRows(_ group: [ValueID]) -> NestValues? {
        let operand = program.instrs[group[0] - 1].operands[0]
        let shape = program.shape(of: operand)
        // A plane of one pixel has no row loop for the call to replace.
        guard group.count == 2, shape.plane > 1, let mean = group.first(where: { poolModeOf($0) == .mean }),
            let maxPool = group.first(where: { poolModeOf($0) == .max }), let xl = plan.layouts[operand],
            let ml = plan.layouts[mean], let bl = plan.layouts[maxPool], xl.hwStride == 1,
            shape.c == 1 || xl.cStride == shape.plane, ml.hwStride == 1, bl.hwStride == 1, !plan.views.contains(operand)
        else { return nil }
        return channelPoolRowsNest(mean: mean, max: maxPool, row: operand, gate: { _ in "1.0f" }, shape: shape, scaleRow: true)
    }

    /// Mean and max over C of `g · x` as one `attn_row_scale_sum_max` call per channel row;
    /// `scaleRow` divides the mean plane by C with `attn_row_scale` instead of a scalar loop.
    private func channelPoolRowsNest(
        mean: ValueID, max maxPool: ValueID, row x: ValueID, gate: (inout NestValues) -> String, shape: Shape,
        scaleRow: Bool = false
    ) -> NestValues {
        var values = startNest(over: shape)  // n, c, hw; the helper replaces the hw loop
        let plane = shape.plane
        let depth = values.axes.n.depth
        for (v, start) in [(mean, "0.0f"), (maxPool, "-INFINITY")] {
            let base = planeRow(v, &values, at: depth)
            values.nest.pre[depth].append(.loop(variable: "hw", extent: plane, body: [.line("\(base)[hw] = \(start);")]))
        }
        // The call sits in the channel loop, or beside the plane rows when C is 1.
        let cDepth = max(values.axes.c.depth, depth)
        let g = gate(&values)
        let row = rowPointer(x, shape, &values)
        values.nest.pre[cDepth].append(
            .line("attn_row_scale_sum_max(\(planeRowName(mean)), \(planeRowName(maxPool)), \(row), \(g), \(plane));"))
        if shape.c > 1 {
            let scale = cFloat(1 / Float(shape.c))
            let name = planeRowName(mean)
            values.nest.post[depth].append(
                scaleRow
                    ? .line("attn_row_scale(\(name), \(name), \(scale), \(plane));")
                    : .loop(variable: "hw", extent: plane, body: [.line("\(name)[hw] *= \(scale);")]))
        }
        values.dropInnermostLoop()
        return values
    }

    /// One `attn_rows_scale_pool` call (`name`: or tcc's `attn_gated_pool_rows`, the same
    /// arguments) per sample over its C rows, when they follow each other, the gate is a dense
    /// vector and the pooled planes are dense.
    private func blockedGatedPoolCall(_ name: String, mean: ValueID, max: ValueID, gate: ValueID, row x: ValueID, shape: Shape) -> Nest? {
        guard let xl = plan.layouts[x], let gl = plan.layouts[gate], let ml = plan.layouts[mean], let bl = plan.layouts[max],
            xl.hwStride == 1, shape.c == 1 || xl.cStride == shape.plane, ml.hwStride == 1, bl.hwStride == 1,
            shape.c == 1 || gl.cStride == 1, !plan.views.contains(x)
        else { return nil }
        var nest = Nest()
        let n = nest.loop("n", shape.n)
        let at = { (v: ValueID, l: Layout) in plus(self.pointer(v), shape.n > 1 ? n.index * l.nStride : .zero) }
        nest.pre[nest.innermost].append(
            .line("\(name)(\(at(mean, ml)), \(at(max, bl)), \(at(x, xl)), \(at(gate, gl)), \(shape.c), \(shape.plane), \(cFloat(1 / Float(shape.c))));"))
        return nest
    }

    /// `y = g · x` (SE, ECA) as row calls.
    func emitScaleRows(_ v: ValueID, gate g: ValueID, row x: ValueID, into p: inout CPrinter) {
        let shape = program.instrs[v - 1].shape
        var values = startNest(over: Shape(n: shape.n, c: shape.c, h: 1, w: 1))
        let depth = values.nest.innermost
        let gv = values.value(g).expr
        let call = "attn_row_scale(\(rowPointer(v, shape, &values, writable: true)), \(rowPointer(x, shape, &values)), \(gv), \(shape.plane));"
        values.emit(call, at: depth)
        printScaleRows(values, perRow: .rowScale, tcc: scaleRowsCall(v, gate: g, row: x, plane: nil), into: &p)
    }

    /// A sigmoid gate and `y = g · x` (SE, ECA). gcc and clang hosts run them as one pass over
    /// blocks of channels: the block's gates, then its rows. Apart, the gate loop is arithmetic
    /// with no memory traffic to hide behind, which shows where the planes are small and the
    /// passes around it short; inside the pass it runs while the block's rows load. Each gate is
    /// still stored before its row reads it.
    func emitGateScaleRows(_ v: ValueID, gate g: ValueID, row x: ValueID, into p: inout CPrinter) {
        let comment = { (p: inout CPrinter, v: ValueID) in
            if self.options.target != .jit { p.line("/* \(self.describe(v)) */") }
        }
        // Apart, each step as the plan's other steps print: its comment, its loop, a blank line.
        let apart = { (p: inout CPrinter) in
            comment(&p, g)
            self.emitMap(g, into: &p)
            p.blank()
            comment(&p, v)
            self.emitScaleRows(v, gate: g, row: x, into: &p)
        }
        guard let fused = blockedGateScale(v, gate: g, row: x) else { return apart(&p) }
        HostBranch.print(
            host: { p in
                comment(&p, g)
                comment(&p, v)
                p.use(.rowScale)
                fused.print(into: &p)
            }, other: apart, into: &p)
    }

    /// The channels a block of `emitGateScaleRows` takes: enough rows to cover the gates'
    /// latency, few enough that the gate block stays in registers and L1.
    static let gateBlock = 32

    /// The host form of `emitGateScaleRows`, for one sample whose gate is made by a loop of one
    /// statement per channel (nothing hoisted out of it); nil otherwise.
    private func blockedGateScale(_ v: ValueID, gate g: ValueID, row x: ValueID) -> Nest? {
        let shape = program.instrs[v - 1].shape
        let gateShape = Shape(n: shape.n, c: shape.c, h: 1, w: 1)
        guard shape.n == 1, shape.c > Self.gateBlock, program.shape(of: g) == gateShape else { return nil }
        var gates = startNest(over: gateShape)
        let (expr, _) = gates.compute(program.instrs[g - 1], g)
        store(expr, to: g, shape: gateShape, &gates)
        var rows = startNest(over: gateShape)
        let gv = rows.value(g).expr
        rows.emit(
            "attn_row_scale(\(rowPointer(v, shape, &rows, writable: true)), \(rowPointer(x, shape, &rows)), \(gv), \(shape.plane));",
            at: rows.nest.innermost)
        // Both nests are one channel loop with all of their statements inside it.
        for n in [gates.nest, rows.nest] {
            guard n.innermost == 1, n.pre[0].isEmpty, n.post[0].isEmpty, n.post[1].isEmpty else { return nil }
        }
        pointers.values.formUnion(gates.storedReads)
        pointers.values.formUnion(rows.storedReads)
        let block = Self.gateBlock
        let exact = shape.c % block == 0
        let end: CExpr = exact ? .variable("cb") + block : .variable("ce")
        var body: [Stmt] = exact ? [] : [.line("const int ce = cb + \(block) < \(shape.c) ? cb + \(block) : \(shape.c);")]
        body.append(.range(variable: "c", from: .variable("cb"), to: end, body: gates.nest.pre[1]))
        body.append(.range(variable: "c", from: .variable("cb"), to: end, body: rows.nest.pre[1]))
        var nest = Nest()
        nest.pre[0].append(.stepped(variable: "cb", extent: shape.c, step: CExpr(block), body: body))
        return nest
    }

    /// `y = s · (g · x)` (CBAM) as row calls.
    func emitScaleMulRows(_ v: ValueID, plane: ValueID, gate g: ValueID, row x: ValueID, into p: inout CPrinter) {
        let shape = program.instrs[v - 1].shape
        var values = startNest(over: Shape(n: shape.n, c: shape.c, h: 1, w: 1))
        let depth = values.nest.innermost
        let gv = values.value(g).expr
        let s = planePointer(plane, &values)
        let call = "attn_row_scale_mul(\(rowPointer(v, shape, &values, writable: true)), \(rowPointer(x, shape, &values)), \(gv), \(s), \(shape.plane));"
        values.emit(call, at: depth)
        // Where s and a row of x and of y together outgrow a 32 KiB L1, gcc and clang take the
        // rows in column chunks that keep s's chunk in L1 (attn_rows_scale_mul); on smaller
        // planes the row calls run at a copy's speed.
        let host = shape.plane * 3 * 4 > 32 * 1024 ? scaleRowsCall(v, gate: g, row: x, plane: plane, name: "attn_rows_scale_mul") : nil
        guard let host else {
            return printScaleRows(values, perRow: .rowScaleMul, tcc: scaleRowsCall(v, gate: g, row: x, plane: plane), into: &p)
        }
        HostBranch.print(
            host: { p in
                p.use(.rowsScaleMul)
                host.print(into: &p)
            },
            other: { p in printScaleRows(values, perRow: .rowScaleMul, tcc: scaleRowsCall(v, gate: g, row: x, plane: plane), into: &p) },
            into: &p)
    }

    /// The row calls of a scaling pass, or on tcc on x86-64 one `attn_scale_rows` call per
    /// sample (`tcc`, where the rows allow it).
    private func printScaleRows(_ values: NestValues, perRow: Helper, tcc: Nest?, into p: inout CPrinter) {
        guard let tcc, options.target.tccAsm != .never else {
            p.use(perRow)
            return finish(values, into: &p)
        }
        // No braces around the fork: the MCU branch of a portable file must read as the MCU
        // file does (FootprintTests count both), and neither form declares at this level.
        HostBranch.printTCCAsm(
            options.target,
            asm: { p in
                p.use(.scaleRows)
                tcc.print(into: &p)
            },
            other: { p in
                p.use(perRow)
                pointers.values.formUnion(values.storedReads)
                values.nest.print(into: &p)
            }, into: &p)
    }

    /// `attn_scale_rows` (or `name`, the same arguments) per sample over its C rows, when the
    /// rows of y and x follow each other, the gate is a dense vector and the plane (CBAM's spatial
    /// gate, if any) is dense.
    private func scaleRowsCall(_ v: ValueID, gate: ValueID, row x: ValueID, plane: ValueID?, name: String = "attn_scale_rows") -> Nest? {
        let shape = program.instrs[v - 1].shape
        guard shape.plane > 1, program.shape(of: x) == shape, program.shape(of: gate) == Shape(n: shape.n, c: shape.c, h: 1, w: 1),
            plane.map({ program.shape(of: $0) == Shape(n: shape.n, c: 1, h: shape.h, w: shape.w) }) ?? true, let yl = plan.layouts[v], let xl = plan.layouts[x], let gl = plan.layouts[gate],
            yl.hwStride == 1, xl.hwStride == 1, shape.c == 1 || (yl.cStride == shape.plane && xl.cStride == shape.plane && gl.cStride == 1),
            !plan.views.contains(x), !plan.views.contains(v)
        else { return nil }
        if let plane { guard let sl = plan.layouts[plane], sl.hwStride == 1, !plan.views.contains(plane) else { return nil } }
        var nest = Nest()
        let n = nest.loop("n", shape.n)
        let at = { (v: ValueID, l: Layout) in plus(self.pointer(v), shape.n > 1 ? n.index * l.nStride : .zero) }
        let s = plane.map { at($0, plan.layouts[$0]!) } ?? "(const float *)0"
        nest.pre[nest.innermost].append(
            .line("\(name)(\(at(v, yl)), \(at(x, xl)), \(at(gate, gl)), \(s), \(shape.c), \(shape.plane));"))
        return nest
    }

    // MARK: - pointers

    /// Pointer to the start of row (n, c) of a stored value of `shape`.
    private func rowPointer(_ v: ValueID, _ shape: Shape, _ values: inout NestValues, writable: Bool = false) -> String {
        var o = Offset()
        let layout = plan.layouts[v]!
        if shape.n > 1 { o.add(values.axes.n, layout.nStride) }
        if shape.c > 1 { o.add(values.axes.c, layout.cStride) }
        return plus(pointer(v), o.expr)
    }

    /// Pointer to sample n's plane of a stored [N,1,H,W] value.
    private func planePointer(_ v: ValueID, _ values: inout NestValues) -> String {
        let layout = plan.layouts[v]!
        return plus(pointer(v), program.shape(of: v).n > 1 ? values.axes.n.index * layout.nStride : .zero)
    }

    private func planeRowName(_ v: ValueID) -> String { "\(names.value(v))_plane" }

    private func planeRow(_ v: ValueID, _ values: inout NestValues, at depth: Int) -> String {
        values.emit("float *\(planeRowName(v)) = \(planePointer(v, &values));", at: depth)
        return planeRowName(v)
    }

    func poolModeOf(_ v: ValueID) -> PoolMode { poolMode(of: program.instrs[v - 1].op) }
}
