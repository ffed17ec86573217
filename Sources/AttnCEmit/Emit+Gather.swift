// Ops whose every output element is one operand element (slice, reshape, transpose, nearest
// upsampling, a constant copied out) or a small window of them (pool2d, weighted pool).

import AttnIR

extension CEmitter {
    /// `y[n,c,h,w] = x[source(n,c,h,w)]` over the output's four axes.
    func emitGather(_ v: ValueID, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        if case .transpose(let perm) = instr.op, let rows = rowTranspose(v, perm) {
            // A transpose that keeps the rows: tcc moves each whole, in packed SSE.
            return p.split(
                [.tcc],
                { p in
                    p.use(.rowCopy)
                    p.block("") { p in rows.print(into: &p) }
                }, else: { p in emitGatherNest(v, into: &p) })
        }
        guard case .reshape = instr.op, let x = instr.operands.first, let copy = denseCopy(v, from: x) else {
            return emitGatherNest(v, into: &p)
        }
        // tcc divides for every element of the decomposed index; both dense, it is a copy.
        p.split([.tcc], { p in p.block("") { p in copy.print(into: &p) } }, else: { p in emitGatherNest(v, into: &p) })
    }

    /// A transpose whose innermost output axis is dense in both values, at least a tile long:
    /// one `attn_row_copy` per row, in loops over the other axes.
    private func rowTranspose(_ v: ValueID, _ perm: [Int]) -> Stmt? {
        let out = program.instrs[v - 1].shape
        let x = program.instrs[v - 1].operands[0]
        let xs = program.shape(of: x)
        let extents = [out.n, out.c, out.h, out.w]
        let xExtents = [xs.n, xs.c, xs.h, xs.w]
        guard let xLayout = plan.layouts[x], let layout = plan.layouts[v] else { return nil }
        let xStrides = [xLayout.nStride, xLayout.cStride, xs.w * xLayout.hwStride, xLayout.hwStride]
        let strides = [layout.nStride, layout.cStride, out.w * layout.hwStride, layout.hwStride]
        guard let inner = (0..<4).last(where: { extents[$0] > 1 }), extents[inner] >= Self.transposeTile, strides[inner] == 1,
            xExtents[perm[inner]] > 1, xStrides[perm[inner]] == 1
        else { return nil }
        let names = ["n", "c", "h", "w"]
        let idx = names.map { CExpr.variable($0) }
        var src = [CExpr.zero, .zero, .zero, .zero]
        for axis in 0..<4 { src[perm[axis]] = extents[axis] > 1 && axis != inner ? idx[axis] : .zero }
        let dst = (0..<4).map { extents[$0] > 1 && $0 != inner ? idx[$0] : CExpr.zero }
        let to = address(v, n: dst[0], c: dst[1], h: dst[2], w: dst[3])
        let from = address(x, n: src[0], c: src[1], h: src[2], w: src[3])
        var stmt = Stmt.line("attn_row_copy(\(to), \(from), \(extents[inner]));")
        for j in (0..<inner).reversed() where extents[j] > 1 {
            stmt = .loop(variable: names[j], extent: extents[j], body: [stmt])
        }
        return stmt
    }

    /// One loop over the elements when `v` and `x` are both dense in NCHW order.
    private func denseCopy(_ v: ValueID, from x: ValueID) -> Stmt? {
        func dense(_ u: ValueID) -> Bool {
            let s = program.shape(of: u)
            guard let l = plan.layouts[u], !plan.views.contains(u) else { return false }
            return (s.plane == 1 || l.hwStride == 1) && (s.c == 1 || l.cStride == s.plane) && (s.n == 1 || l.nStride == s.c * s.plane)
        }
        guard dense(v), dense(x) else { return nil }
        let count = program.shape(of: v).count
        let (to, from) = (address(v), address(x))
        let at = { (p: String) in p.contains(" ") ? "(\(p))[i]" : "\(p)[i]" }
        return .loop(variable: "i", extent: count, body: [.line("\(at(to)) = \(at(from));")])
    }

    private func emitGatherNest(_ v: ValueID, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let out = instr.shape
        var (nest, n, c, h, w) = Self.nest(over: out)
        var tables: [String] = []
        let source: String
        switch instr.op {
        case .slice(let start, _):
            source = element(instr.operands[0], n: n, c: c + start, h: h, w: w)
        case .reshape, .constant:
            // Same NCHW order: decompose the flat index into the source's axes.
            let x = instr.operands.first
            let s = x.map { program.shape(of: $0) } ?? out
            let flat = nchwFlat(out, n, c, h, w)
            if let x {
                // Axes of extent 1 are not indexed (see `index`).
                source = element(x, n: flat / (s.c * s.plane), c: flat / s.plane % s.c, h: flat / s.w % s.h, w: flat % s.w)
            } else {
                guard case .constant(let id, _) = instr.op else { preconditionFailure() }
                source = "\(names.param(id))[\(flat)]"
            }
        case .transpose(let perm):
            if let tiled = tiledTranspose(v, perm) {
                return p.block("") { p in
                    guard let call = tccTranspose(v, perm) else { return tiled.forEach { $0.print(into: &p) } }
                    // tcc's scalar tile loops spent ten times gcc's there; its helper moves 4×4 blocks.
                    p.split(
                        [.tcc],
                        { p in
                            p.use(.transpose)
                            call.print(into: &p)
                        }, else: { p in tiled.forEach { $0.print(into: &p) } })
                }
            }
            let idx = [n, c, h, w]
            var src = [CExpr.zero, .zero, .zero, .zero]
            for axis in 0..<4 { src[perm[axis]] = idx[axis] }
            source = element(instr.operands[0], n: src[0], c: src[1], h: src[2], w: src[3])
        case .upsampleNearest:
            if let rows = upsampleRows(v, rowCopy: false) {
                // tcc spreads each source row and copies the repeated rows whole, in packed SSE (a
                // store per element in its C).
                guard let copied = upsampleRows(v, rowCopy: true) else { return p.block("") { p in rows.print(into: &p) } }
                return p.block("") { p in
                    p.split(
                        [.tcc],
                        { p in
                            let (fh, fw) = upsampleFactors(v)
                            if fh > 1 || fw == 1 { p.use(.rowCopy) }
                            if fw > 1 { p.use(.rowSpread) }
                            copied.print(into: &p)
                        }, else: { p in rows.print(into: &p) })
                }
            }
            let x = instr.operands[0]
            let s = program.shape(of: x)
            let hs = (0..<out.h).map { nearestIndex($0, input: s.h, output: out.h) }
            let ws = (0..<out.w).map { nearestIndex($0, input: s.w, output: out.w) }
            // Index maps computed here with PyTorch's float rule, so the C does no float math.
            let rows = "\(names.value(v))_rows", cols = "\(names.value(v))_cols"
            source = element(x, n: n, c: c, h: .element(rows, h), w: .element(cols, w))
            // An axis of extent 1 in x is not indexed, so its table would be an unused variable
            // (-Werror=unused-variable under gcc and clang).
            if source.contains(rows + "[") {
                tables.append("static const int \(rows)[\(out.h)] = {\(cIntList(hs))};")
            }
            if source.contains(cols + "[") {
                tables.append("static const int \(cols)[\(out.w)] = {\(cIntList(ws))};")
            }
        case .globalPool, .channelPool, .axisPool, .pool2d, .weightedPool, .linear, .channelConv1d, .conv2d, .matmul,
            .attention, .blockMatmul, .relPosWeights, .affine, .softmax, .l1Normalize, .layerNorm, .instanceNorm, .variance, .groupNorm, .axisConv1d, .unary, .binary, .concat, .blockUnfold:
            preconditionFailure("\(instr.op) is not a gather")
        }
        nest.pre[nest.innermost].append(.line("\(element(v, n: n, c: c, h: h, w: w)) = \(source);"))
        p.block("") { p in
            for t in tables { p.line(t) }
            nest.print(into: &p)
        }
    }

    /// Nearest upsampling by whole factors fh × fw, rows contiguous on both sides: each source row
    /// once into its first output row (every pixel fw times), that row copied to the fh − 1 below.
    /// The per-element gather through index tables read a table entry and a scattered source
    /// pixel per output pixel (a fifth of GatherExcite's time at 56×56). Nil keeps the gather;
    /// with `rowCopy` (tcc) the first row goes through `attn_row_spread` and the rows below
    /// through `attn_row_copy`.
    private func upsampleRows(_ v: ValueID, rowCopy: Bool) -> Nest? {
        let out = program.instrs[v - 1].shape
        let x = program.instrs[v - 1].operands[0]
        let s = program.shape(of: x)
        guard out.h % s.h == 0, out.w % s.w == 0, plan.layouts[x]!.hwStride == 1, plan.layouts[v]!.hwStride == 1 else { return nil }
        let (fh, fw) = (out.h / s.h, out.w / s.w)
        // PyTorch's float index rule, which the tables follow, is the integer one at whole factors;
        // checked rather than assumed.
        guard (0..<out.h).allSatisfy({ nearestIndex($0, input: s.h, output: out.h) == $0 / fh }),
            (0..<out.w).allSatisfy({ nearestIndex($0, input: s.w, output: out.w) == $0 / fw })
        else { return nil }
        var nest = Nest()
        let n = nest.loop("n", out.n).index
        let c = nest.loop("c", out.c).index
        let i = nest.loop("i", s.h).index
        let (j, r, t): (CExpr, CExpr, CExpr) = ("j", "r", "t")
        var body: [Stmt] = [
            .line("const float *src = \(address(x, n: n, c: c, h: i));"),
            .line("float *dst = \(address(v, n: n, c: c, h: i * fh));"),
        ]
        if rowCopy {
            // tcc: the first row in packed SSE too (a store per element in its C).
            body.append(.line(fw == 1 ? "attn_row_copy(dst, src, \(s.w));" : "attn_row_spread(dst, src, \(s.w), \(fw));"))
        } else if fw == 1 {
            body.append(.loop(variable: "j", extent: s.w, body: [.line("dst[j] = src[j];")]))
        } else {
            body.append(.loop(variable: "j", extent: s.w, body: [
                .line("const float e = src[j];"),
                .line((0..<fw).map { "dst[\(j * fw + $0)] = e;" }.joined(separator: " ")),
            ]))
        }
        if fh > 1 {
            body.append(.range(variable: "r", from: CExpr(1), to: CExpr(fh), body: rowCopy
                ? [.line("attn_row_copy(dst + \(r * out.w), dst, \(out.w));")]
                : [.loop(variable: "t", extent: out.w, body: [.line("dst[\(r * out.w + t)] = dst[t];")])]))
        }
        nest.pre[nest.innermost].append(contentsOf: body)
        return nest
    }

    /// The whole factors of a nearest upsampling that `upsampleRows` accepted.
    private func upsampleFactors(_ v: ValueID) -> (h: Int, w: Int) {
        let out = program.instrs[v - 1].shape
        let s = program.shape(of: program.instrs[v - 1].operands[0])
        return (out.h / s.h, out.w / s.w)
    }

    /// Edge of a tile of a transpose (`tiledTranspose`).
    static let transposeTile = 8

    /// A transpose whose innermost output axis reads the operand with a stride, when another
    /// output axis reads it contiguously: both axes go in tiles of `transposeTile`, so each tile
    /// reads whole runs of operand rows and writes whole runs of output rows (looping the output
    /// in order read a new cache line per element: lambda's [V·K, M] → [M, V·K] of the position
    /// lambdas spent longer there than in their GEMMs). Nil keeps the plain nest.
    private func tiledTranspose(_ v: ValueID, _ perm: [Int]) -> [Stmt]? {
        let out = program.instrs[v - 1].shape
        let x = program.instrs[v - 1].operands[0]
        let xs = program.shape(of: x)
        let extents = [out.n, out.c, out.h, out.w]
        let xExtents = [xs.n, xs.c, xs.h, xs.w]
        let xLayout = plan.layouts[x]!
        let xStrides = [xLayout.nStride, xLayout.cStride, xs.w * xLayout.hwStride, xLayout.hwStride]
        // Operand stride along output axis j (an axis of extent 1 is never stepped).
        let stride = { (j: Int) in xExtents[perm[j]] > 1 ? xStrides[perm[j]] : 0 }
        let tile = Self.transposeTile
        guard let inner = (0..<4).last(where: { extents[$0] > 1 }), stride(inner) != 1, extents[inner] >= tile,
            let across = (0..<inner).last(where: { extents[$0] >= tile && stride($0) == 1 })
        else { return nil }
        let names = ["n", "c", "h", "w"]
        let idx = names.map { CExpr.variable($0) }
        var src = [CExpr.zero, .zero, .zero, .zero]
        for axis in 0..<4 { src[perm[axis]] = extents[axis] > 1 ? idx[axis] : .zero }
        let dst = (0..<4).map { extents[$0] > 1 ? idx[$0] : CExpr.zero }
        let body = Stmt.line("\(element(v, n: dst[0], c: dst[1], h: dst[2], w: dst[3])) = \(element(x, n: src[0], c: src[1], h: src[2], w: src[3]));")
        // One axis's loop inside its tile: to the tile's end, or the axis's where it is shorter.
        func within(_ j: Int, _ inner: [Stmt]) -> [Stmt] {
            let (e, start) = (extents[j], CExpr.variable("\(names[j])0"))
            guard e % tile != 0 else { return [.range(variable: names[j], from: start, to: start + tile, body: inner)] }
            let end = "\(names[j])1"
            return [
                .line("const int \(end) = \(start + tile) < \(e) ? \(start + tile) : \(e);"),
                .range(variable: names[j], from: start, to: .variable(end), body: inner),
            ]
        }
        var stmt = Stmt.stepped(variable: "\(names[across])0", extent: extents[across], step: CExpr(tile), body: [
            .stepped(variable: "\(names[inner])0", extent: extents[inner], step: CExpr(tile), body: within(across, within(inner, [body])))
        ])
        for j in (0..<4).reversed() where j != across && j != inner && extents[j] > 1 {
            stmt = .loop(variable: names[j], extent: extents[j], body: [stmt])
        }
        return [stmt]
    }

    /// `tiledTranspose`'s two tiled axes as one `attn_transpose` call per position of the other
    /// axes, when the output's innermost axis is dense. Called only where `tiledTranspose` is.
    private func tccTranspose(_ v: ValueID, _ perm: [Int]) -> Stmt? {
        let out = program.instrs[v - 1].shape
        let x = program.instrs[v - 1].operands[0]
        let xs = program.shape(of: x)
        let extents = [out.n, out.c, out.h, out.w]
        let xExtents = [xs.n, xs.c, xs.h, xs.w]
        let xLayout = plan.layouts[x]!
        let xStrides = [xLayout.nStride, xLayout.cStride, xs.w * xLayout.hwStride, xLayout.hwStride]
        guard let layout = plan.layouts[v] else { return nil }
        let strides = [layout.nStride, layout.cStride, out.w * layout.hwStride, layout.hwStride]
        let stride = { (j: Int) in xExtents[perm[j]] > 1 ? xStrides[perm[j]] : 0 }
        let tile = Self.transposeTile
        guard let inner = (0..<4).last(where: { extents[$0] > 1 }), strides[inner] == 1,
            let across = (0..<inner).last(where: { extents[$0] >= tile && stride($0) == 1 })
        else { return nil }
        let names = ["n", "c", "h", "w"]
        let idx = names.map { CExpr.variable($0) }
        var src = [CExpr.zero, .zero, .zero, .zero]
        for axis in 0..<4 { src[perm[axis]] = extents[axis] > 1 && axis != inner && axis != across ? idx[axis] : .zero }
        let dst = (0..<4).map { extents[$0] > 1 && $0 != inner && $0 != across ? idx[$0] : CExpr.zero }
        let to = address(v, n: dst[0], c: dst[1], h: dst[2], w: dst[3])
        let from = address(x, n: src[0], c: src[1], h: src[2], w: src[3])
        var stmt = Stmt.line("attn_transpose(\(to), \(strides[across]), \(from), \(stride(inner)), \(extents[inner]), \(extents[across]));")
        for j in (0..<4).reversed() where j != across && j != inner && extents[j] > 1 {
            stmt = .loop(variable: names[j], extent: extents[j], body: [stmt])
        }
        return stmt
    }

    /// Blocks as rows: loops over the block grid and the window's rows and columns (no index
    /// divisions), each element read from the plane or 0 in the halo outside it.
    func emitBlockUnfold(_ v: ValueID, window k: Int, step: Int, padding pad: Int, into p: inout CPrinter) {
        let x = program.instrs[v - 1].operands[0]
        let s = program.shape(of: x)
        let (nh, nw) = ((s.h + 2 * pad - k) / step + 1, (s.w + 2 * pad - k) / step + 1)
        var nest = Nest()
        let n = nest.loop("n", s.n).index
        let c = nest.loop("c", s.c).index
        let bh = nest.loop("bh", nh).index
        let bw = nest.loop("bw", nw).index
        let jh = nest.loop("jh", k).index
        let jw = nest.loop("jw", k).index
        let (row, col) = (bh * step + jh - pad, bw * step + jw - pad)
        let target = element(v, n: n, c: c, h: bh * nw + bw, w: jh * k + jw)
        let read = element(x, n: n, c: c, h: row, w: col)
        // Only a padded unfold reaches outside the plane.
        let line = pad == 0
            ? "\(target) = \(read);"
            : "\(target) = (\(row) >= 0 && \(row) < \(s.h) && \(col) >= 0 && \(col) < \(s.w)) ? \(read) : 0.0f;"
        nest.pre[nest.innermost].append(.line(line))
        guard plan.layouts[x]?.hwStride == 1, plan.layouts[v]?.hwStride == 1, !plan.views.contains(x), !plan.views.contains(v)
        else { return p.block("") { p in nest.print(into: &p) } }
        // tcc: each window row as one copy of its columns inside the plane, zeros either side
        // (its bounds test per element took a tenth of HaloNet's time).
        var rows = Nest()
        let (rn, rc, rbh, rbw) = (rows.loop("n", s.n).index, rows.loop("c", s.c).index, rows.loop("bh", nh).index, rows.loop("bw", nw).index)
        let rjh = rows.loop("jh", k).index
        let (rowVar, col0, lo): (CExpr, CExpr, CExpr) = ("row", "col0", "lo")
        let d = address(v, n: rn, c: rc, h: rbh * nw + rbw, w: rjh * k)
        // Unpadded, every window lies inside the plane.
        let whole: [Stmt] = [
            .line("attn_row_copy(\(d), \(address(x, n: rn, c: rc, h: rbh * step + rjh, w: rbw * step)), \(k));")
        ]
        rows.pre[rows.innermost].append(contentsOf: pad == 0 ? whole : [
            .line("const int row = \(rbh * step + rjh - pad);"),
            .line("float *d = \(d);"),
            .line("if (row < 0 || row >= \(s.h)) {"),
            .line("    attn_row_zero(d, \(k));"),
            .line("} else {"),
            .line("    const int col0 = \(rbw * step - pad);"),
            .line("    const int lo = col0 < 0 ? -col0 : 0;"),
            .line("    const int hi = col0 + \(k) > \(s.w) ? \(s.w) - col0 : \(k);"),
            .line("    for (int jw = 0; jw < lo; jw++) d[jw] = 0.0f;"),
            .line("    if (hi > lo) attn_row_copy(d + lo, \(address(x, n: rn, c: rc, h: rowVar, w: col0 + lo)), hi - lo);"),
            .line("    for (int jw = hi > lo ? hi : lo; jw < \(k); jw++) d[jw] = 0.0f;"),
            .line("}"),
        ])
        p.block("") { p in
            p.split(
                [.tcc],
                { p in
                    if pad > 0 { p.use(.rowZero) }
                    p.use(.rowCopy)
                    rows.print(into: &p)
                }, else: { p in nest.print(into: &p) })
        }
    }

    /// Loops over the four axes of `shape` (none for an axis of extent 1) and their index names.
    static func nest(over shape: Shape) -> (Nest, n: CExpr, c: CExpr, h: CExpr, w: CExpr) {
        var nest = Nest()
        let n = nest.loop("n", shape.n).index
        let c = nest.loop("c", shape.c).index
        let h = nest.loop("h", shape.h).index
        let w = nest.loop("w", shape.w).index
        return (nest, n, c, h, w)
    }

    /// PyTorch's legacy nearest rule, the interpreter's and ATen's: fast paths for equal and
    /// doubled sizes, else `min(floor(dst · (float)in/out), in − 1)` in float32.
    private func nearestIndex(_ dst: Int, input: Int, output: Int) -> Int {
        if output == input { return dst }
        if output == 2 * input { return dst >> 1 }
        let scale = Float(input) / Float(output)
        return min(Int((Float(dst) * scale).rounded(.down)), input - 1)
    }

    private func nchwFlat(_ s: Shape, _ n: CExpr, _ c: CExpr, _ h: CExpr, _ w: CExpr) -> CExpr {
        n * (s.c * s.plane) + c * s.plane + h * s.w + w
    }

    /// Floor-mode k×k windows moved by `stride`; with `padding`, each window clipped to the input.
    func emitPool2d(
        _ v: ValueID, mode: PoolMode, kernel k: Int, stride: Int, padding: Int, countIncludePad: Bool, into p: inout CPrinter
    ) {
        guard padding == 0 else {
            emitPaddedPool2d(v, mode: mode, kernel: k, stride: stride, padding: padding, countIncludePad: countIncludePad, into: &p)
            return
        }
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        var (nest, n, c, h, w) = Self.nest(over: instr.shape)
        let tap = element(x, n: n, c: c, h: h * stride + "dy", w: w * stride + "dx")
        let body: [Stmt]
        switch mode {
        case .mean:
            body = [
                .line("float acc = 0.0f;"),
                .loop(variable: "dy", extent: k, body: [.loop(variable: "dx", extent: k, body: [.line("acc += \(tap);")])]),
                .line("\(element(v, n: n, c: c, h: h, w: w)) = \(cOver("acc", k * k));"),
            ]
        case .max:
            body = [
                .line("float m = -INFINITY;"),
                .loop(variable: "dy", extent: k, body: [.loop(variable: "dx", extent: k, body: [
                    .line("const float t = \(tap);"), .line("m = t > m ? t : m;"),
                ])]),
                .line("\(element(v, n: n, c: c, h: h, w: w)) = m;"),
            ]
        }
        nest.pre[nest.innermost].append(contentsOf: body)
        p.block("") { p in nest.print(into: &p) }
    }

    /// A padded window is the part of it inside the input: its rows and columns are clipped at
    /// run time (no padded element is read), and a count-excluding mean divides by their product,
    /// never 0 since the padding is at most k/2.
    private func emitPaddedPool2d(
        _ v: ValueID, mode: PoolMode, kernel k: Int, stride: Int, padding: Int, countIncludePad: Bool, into p: inout CPrinter
    ) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let s = program.shape(of: x)
        var (nest, n, c, h, w) = Self.nest(over: instr.shape)
        let tap = element(x, n: n, c: c, h: "iy", w: "ix")
        var body: [Stmt] = [
            .line("const int y0 = \(h * stride - padding), x0 = \(w * stride - padding);"),
            .line("const int ya = y0 > 0 ? y0 : 0, yb = y0 + \(k) < \(s.h) ? y0 + \(k) : \(s.h);"),
            .line("const int xa = x0 > 0 ? x0 : 0, xb = x0 + \(k) < \(s.w) ? x0 + \(k) : \(s.w);"),
        ]
        let dst = element(v, n: n, c: c, h: h, w: w)
        switch mode {
        case .mean:
            let divisor = countIncludePad ? "\(k * k).0f" : "(float)((yb - ya) * (xb - xa))"
            body += [
                .line("float acc = 0.0f;"),
                .range(variable: "iy", from: "ya", to: "yb", body: [.range(variable: "ix", from: "xa", to: "xb", body: [.line("acc += \(tap);")])]),
                .line("\(dst) = acc / \(divisor);"),
            ]
        case .max:
            body += [
                .line("float m = -INFINITY;"),
                .range(variable: "iy", from: "ya", to: "yb", body: [.range(variable: "ix", from: "xa", to: "xb", body: [
                    .line("const float t = \(tap);"), .line("m = t > m ? t : m;"),
                ])]),
                .line("\(dst) = m;"),
            ]
        }
        nest.pre[nest.innermost].append(contentsOf: body)
        p.block("") { p in nest.print(into: &p) }
    }

    /// `y[n,c] = Σ_hw F[c,hw]·x[n,c,hw]`: a dot of two rows when x's pixels are contiguous.
    func emitWeightedPool(_ v: ValueID, weight: ParamID, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let s = program.shape(of: x)
        var nest = Nest()
        let n = nest.loop("n", s.n).index
        let c = nest.loop("c", s.c).index
        let f = plus(names.param(weight), c * s.plane)
        let dst = element(v, n: n, c: c)
        if axisStride(x, along: .hw) == 1 {
            p.use(.rowDot)
            nest.pre[nest.innermost].append(.line("\(dst) = attn_row_dot(\(f), \(address(x, n: n, c: c)), \(s.plane));"))
        } else {
            nest.pre[nest.innermost].append(contentsOf: [
                .line("const float *fr = \(f);"),
                .line("float acc = 0.0f;"),
                .loop(variable: "t", extent: s.plane, body: [.line("acc += fr[t] * \(pointer(x))[\(index(x, n: n, c: c) + CExpr.variable("t") * axisStride(x, along: .hw))];")]),
                .line("\(dst) = acc;"),
            ])
        }
        p.block("") { p in nest.print(into: &p) }
    }
}
