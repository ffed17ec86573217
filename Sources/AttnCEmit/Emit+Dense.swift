// Ops that read many operand elements per output element: linear layers on vectors, the channel
// conv1d of ECA and k×k convolutions. Their operands are always stored (see AttnPlan's inline pass).

import AttnIR
import AttnPlan

extension CEmitter {
    /// `y[n,o] = b[o] + Σ_i W[o,i]·x[n,i]`.
    /// One or two linears with the same weights (a step of the plan). Output rows are
    /// the outer loop and samples the inner one, so each weight row is read from memory once.
    func emitLinear(_ group: [ValueID], weight: ParamID, bias: ParamID?, into p: inout CPrinter) {
        let v = group[0]
        let instr = program.instrs[v - 1]
        let inputs = program.shape(of: instr.operands[0]).c
        var nest = Nest()
        let o = nest.loop("o", instr.shape.c)
        let n = nest.loop("n", instr.shape.n)
        let w = names.param(weight)
        let wRow = plus(w, o.index * inputs)
        // The bias at output o, added to the sum; nothing without one.
        let plusBias = bias.map { " + \(names.param($0))[\(o.index)]" } ?? ""
        var body: [Stmt] = []
        let accs = group.map { "\(names.value($0))_acc" }
        let rows = group.map { vectorRow(program.instrs[$0 - 1].operands[0], n) }
        if group.count == 2 {
            body.append(.line("float \(accs[0]), \(accs[1]);"))
            body.append(.line("attn_row_dot2(\(wRow), \(rows[0]), \(rows[1]), \(inputs), &\(accs[0]), &\(accs[1]));"))
            for (u, acc) in zip(group, accs) {
                body.append(.line("\(pointer(u))[\(vectorIndex(u, n, o.index))] = \(acc)\(plusBias);"))
            }
        } else {
            for (u, (acc, row)) in zip(group, zip(accs, rows)) {
                body.append(.line("const float \(acc) = attn_row_dot(\(wRow), \(row), \(inputs));"))
                body.append(.line("\(pointer(u))[\(vectorIndex(u, n, o.index))] = \(acc)\(plusBias);"))
            }
        }
        nest.pre[nest.innermost].append(contentsOf: body)
        let perRow: Helper = group.count == 2 ? .rowDot2 : .rowDot
        guard instr.shape.c >= 8 else {
            p.use(perRow)
            return print(nest, into: &p)
        }
        // gcc and clang on hosts: a block of weight rows per step (`attn_rows_dot`), per sample.
        var host = Nest()
        let hn = host.loop("n", instr.shape.n)
        let ys = group.map { vectorRow($0, hn) }
        let xs = group.map { vectorRow(program.instrs[$0 - 1].operands[0], hn) }
        let none = "(float *)0"
        let biasArg = bias.map { names.param($0) } ?? none
        host.pre[host.innermost].append(
            .line("attn_rows_dot(\(ys[0]), \(ys.count == 2 ? ys[1] : none), \(w), \(instr.shape.c), \(inputs), \(xs[0]), "
                + "\(xs.count == 2 ? xs[1] : none), \(biasArg));"))
        p.block("") { p in
            HostBranch.print(
                host: { p in
                    p.use(.rowsDot)
                    host.print(into: &p)
                },
                other: { p in
                    p.use(perRow)
                    nest.print(into: &p)
                }, into: &p)
        }
    }

    /// ECA's conv along channels: `y[n,c] = Σ_j w[j]·x[n, c + j - (k-1)/2]`, zero outside [0, C).
    func emitChannelConv1d(_ v: ValueID, weight: ParamID, kernel: Int, padding: ChannelPadding, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let channels = instr.shape.c
        var nest = Nest()
        let n = nest.loop("n", instr.shape.n)
        let acc = "\(names.value(v))_acc"
        let w = names.param(weight)
        let xRow = n.index * plan.layouts[x]!.nStride
        let pad = (kernel - 1) / 2
        /// The sum at channel c, testing taps that may fall below 0 (`low`) or past C − 1 (`high`):
        /// zero padding skips them, circular padding wraps them once around the C channels.
        func body(_ c: CExpr, low: Bool, high: Bool) -> [Stmt] {
            var body: [Stmt] = [.line("float \(acc) = 0.0f;")]
            // Taps are unrolled with their literal shift.
            for j in 0..<kernel {
                let shift = j - pad
                let index = c + shift
                // Each bound is tested in C, or here when the channel is known (C = 1).
                var guards: [String] = []
                var inside = true
                if low && shift < 0 {
                    if let known = c.constantValue { inside = inside && known >= -shift } else { guards.append("\(c) >= \(-shift)") }
                }
                if high && shift > 0 {
                    if let known = c.constantValue { inside = inside && known < channels - shift } else { guards.append("\(c) < \(channels - shift)") }
                }
                let term = "\(acc) += \(w)[\(j)] * \(pointer(x))[\(xRow + index)];"
                switch padding {
                case .zeros:
                    guard inside else { continue }
                    body.append(.line(guards.isEmpty ? term : "if (\(guards.joined(separator: " && "))) \(term)"))
                case .circular:
                    // One guard at most (a tap shifts one way), and |shift| ≤ C wraps once.
                    let wrapped = "\(acc) += \(w)[\(j)] * \(pointer(x))[\(xRow + index + (shift < 0 ? channels : -channels))];"
                    if !inside {
                        body.append(.line(wrapped))
                    } else if let guardText = guards.first {
                        body.append(.line("if (\(guardText)) \(term) else \(wrapped)"))
                    } else {
                        body.append(.line(term))
                    }
                }
            }
            body.append(.line("\(pointer(v))[\(vectorIndex(v, n, c))] = \(acc);"))
            return body
        }
        var guarded = nest
        let c = guarded.loop("c", channels)
        guarded.pre[guarded.innermost].append(contentsOf: body(c.index, low: true, high: true))
        // tcc: the zeroed output, then per tap one attn_row_axpy over the channels it reaches
        // (and, circular, the wrapped ones): its scalar loop of guarded taps was most of a small
        // multi-scale excitation's time. The sums run in the loop's order.
        var rows = nest
        let y = plus(pointer(v), vectorIndex(v, n, .zero))
        rows.pre[rows.innermost].append(.line("attn_row_zero(\(y), \(channels));"))
        for j in 0..<kernel {
            let shift = j - pad
            var runs = [(max(0, -shift), min(channels, channels - shift), shift)]
            if padding == .circular {
                runs.append(shift < 0 ? (0, min(channels, -shift), shift + channels) : (max(0, channels - shift), channels, shift - channels))
            }
            for (lo, hi, offset) in runs where hi > lo {
                rows.pre[rows.innermost].append(.line(
                    "attn_row_axpy(\(plus(pointer(v), vectorIndex(v, n, CExpr(lo)))), \(plus(pointer(x), xRow + CExpr(lo + offset))), \(w)[\(j)], \(hi - lo));"))
            }
        }
        let tccRows = { (p: inout CPrinter) in
            p.use(.rowZero)
            p.use(.rowAxpy)
            p.block("") { p in rows.print(into: &p) }
        }
        guard pad > 0 && channels > 2 * pad else {
            return p.split([.tcc], tccRows, else: { p in self.print(guarded, into: &p) })
        }
        // gcc and clang on hosts: the edges apart, so the loop over the interior has no tests and
        // vectorises. MCUs and tcc keep one loop,
        // which is smaller code and no slower without vector units.
        nest.pre[nest.innermost].append(contentsOf: [
            .range(variable: "c", from: .zero, to: CExpr(pad), body: body("c", low: true, high: false)),
            .range(variable: "c", from: CExpr(pad), to: CExpr(channels - pad), body: body("c", low: false, high: false)),
            .range(variable: "c", from: CExpr(channels - pad), to: CExpr(channels), body: body("c", low: false, high: true)),
        ])
        p.block("") { p in
            HostBranch.print(
                host: { p in nest.print(into: &p) },
                other: { p in p.split([.tcc], tccRows, else: { p in guarded.print(into: &p) }) }, into: &p)
        }
    }

    /// k×k convolution with zero padding and dilation; taps outside the input are skipped.
    /// Contiguous rows (NCHW on both sides) go tap by tap over whole rows; NHWC pixel by pixel.
    func emitConv2d(_ v: ValueID, _ a: Conv2dAttrs, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        if let bands = ToeplitzConv(a, input: program.shape(of: x), output: instr.shape, outputLayout: plan.layouts[v]!) {
            // GEMMs on hosts and tcc's asm micro-kernels (the bands live in the hosts' scratch);
            // the direct form elsewhere, MCUs included.
            HostBranch.printGEMM(
                options.target, mcu: false, gemm: { p in p.block("") { p in emitToeplitzConv(v, a, bands, into: &p) } },
                other: { p in emitConv2dDirect(v, a, into: &p) }, into: &p)
            return
        }
        if let wide = WideConv(a, input: program.shape(of: x), output: instr.shape, inputLayout: plan.layouts[x]!) {
            // 64-bit hosts run the wide form on padded copies (scratch MCUs are not asked for);
            // everything else, the direct form below.
            // gcc and clang hosts run 3×3 stride-1 convs as Winograd GEMMs where that pays.
            let winograd = WinogradConv(a, input: program.shape(of: x), output: instr.shape, outputLayout: plan.layouts[v]!)
                .flatMap { (plan.temps[v]?.count ?? 0) >= $0.tempSize ? $0 : nil }
            HostBranch.printWide(
                wide: { p in
                    guard let winograd else { return emitWideConv(v, a, wide, into: &p) }
                    HostBranch.print(host: { p in emitWinogradConv(v, a, winograd, into: &p) }, other: { p in emitWideConv(v, a, wide, into: &p) }, into: &p)
                }, other: { p in emitConv2dDirect(v, a, into: &p) }, into: &p)
            return
        }
        emitConv2dDirect(v, a, into: &p)
    }

    /// Output rows narrower than this run per pixel, not tap by tap over whole rows.
    static let minConvRow = 4

    /// The convolution without working scratch: 1×1 as plane axpys or channel dots, k×k over
    /// whole output rows, or pixel by pixel.
    private func emitConv2dDirect(_ v: ValueID, _ a: Conv2dAttrs, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let xLayout = plan.layouts[x]!
        let outLayout = plan.layouts[v]!
        if a.kernel == 1 && a.padding == 0 && a.stride == 1 {
            let pointwise = { (p: inout CPrinter) in
                if xLayout.hwStride == 1 && outLayout.hwStride == 1 {
                    self.emitPointwiseConv(v, a, into: &p)
                } else {
                    self.emitPointwiseConvChannelsLast(v, a, into: &p)
                }
            }
            if instr.shape.plane == 1 && xLayout.cStride == 1 && outLayout.cStride == 1 {
                emitVectorConv(v, a, mcu: pointwise, into: &p)
                return
            }
            if (xLayout.hwStride == 1 && outLayout.hwStride == 1) || xLayout.cStride == 1 {
                pointwise(&p)
                return
            }
        }
        // Rows of a few outputs are the per-pixel form: an axpy call per tap would do a term or
        // two each. A plane one column wide (ECA's MLP runs a k×k conv over a C×1 plane) is one
        // contiguous column instead, so its taps run down the whole column.
        if xLayout.hwStride == 1 && outLayout.hwStride == 1 && a.stride == 1 && instr.shape.w >= Self.minConvRow {
            emitConv2dRows(v, a, into: &p)
            return
        }
        if xLayout.hwStride == 1 && outLayout.hwStride == 1 && a.stride == 1 && program.shape(of: x).w == 1 && instr.shape.w == 1
            && instr.shape.h >= Self.minConvRow
        {
            emitConv2dColumn(v, a, into: &p)
            return
        }
        let xs = program.shape(of: x)
        let out = instr.shape
        let k = a.kernel
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let o = nest.loop("o", out.c)
        let h = nest.loop("h", out.h)
        let w = nest.loop("w", out.w)
        let acc = "\(names.value(v))_acc"
        let wt = names.param(a.weight)
        let start = a.bias.map { "\(names.param($0))[\(o.index)]" } ?? "0.0f"
        let (d, pad, st) = (a.dilation, a.padding, a.stride)
        let (hPos, wPos) = (h.index * st, w.index * st)
        // The taps that land inside the input, computed once per row and per column, so the
        // inner loops carry no bounds tests (zero padding contributes nothing).
        nest.pre[h.depth].append(contentsOf: tapRange("kh", hPos, extent: xs.h, k: k, d: d, pad: pad))
        nest.pre[w.depth].append(contentsOf: tapRange("kw", wPos, extent: xs.w, k: k, d: d, pad: pad))
        let hs = xLayout.hwStride
        let (kh, kw): (CExpr, CExpr) = ("kh", "kw")
        let inner: [Stmt] = [
            .line("const float *w_row = \(plus("w_plane", kh * k));"),
            .line("const int y = \(hPos + kh * d - pad);"),
            .range(variable: "kw", from: "kw0", to: "kw1", body: [
                .line("\(acc) += w_row[kw] * x_plane[\((CExpr.variable("y") * xs.w + wPos + kw * d - pad) * hs)];")
            ]),
        ]
        let inPerGroup = xs.c / a.groups
        let body: [Stmt] = [
            .line("float \(acc) = \(start);"),
            .loop(variable: "i", extent: inPerGroup, body: [
                .line("const float *x_plane = \(plus(pointer(x), n.index * xLayout.nStride + inputChannel(a, out, o.index, inPerGroup) * xLayout.cStride));"),
                .line("const float *w_plane = \(plus(wt, (o.index * inPerGroup + "i") * (k * k)));"),
                .range(variable: "kh", from: "kh0", to: "kh1", body: inner),
            ]),
            .line("\(pointer(v))[\(outIndex(out, outLayout, n.index, o.index, h.index, w.index))] = \(acc);"),
        ]
        nest.pre[nest.innermost].append(contentsOf: body)
        print(nest, into: &p)
    }

    /// A 1×1 convolution (a linear layer applied at every pixel, as attention blocks use for
    /// their projections): each output plane is the bias plus one axpy of a whole input plane
    /// per input channel, so the inner loop runs over all H·W pixels.
    private func emitPointwiseConv(_ v: ValueID, _ a: Conv2dAttrs, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let xs = program.shape(of: x)
        let out = instr.shape
        let inPerGroup = xs.c / a.groups
        let outPerGroup = out.c / a.groups
        let xcs = plan.layouts[x]!.cStride
        let ocs = plan.layouts[v]!.cStride
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let o = nest.loop("o", out.c)
        let start = a.bias.map { "\(names.param($0))[\(o.index)]" } ?? "0.0f"
        let body: [Stmt] = [
            .line("float *out_plane = \(address(v, n: n.index, c: o.index));"),
            .line("const float *x_planes = \(address(x, n: n.index));"),
            .line("const float *w_row = \(plus(names.param(a.weight), o.index * inPerGroup));"),
            .loop(variable: "t", extent: out.plane, body: [.line("out_plane[t] = \(start);")]),
            .loop(variable: "i", extent: inPerGroup, body: [
                .line("attn_row_axpy(out_plane, \(plus("x_planes", inputChannel(a, out, o.index, inPerGroup) * xcs)), w_row[i], \(out.plane));")
            ]),
        ]
        nest.pre[nest.innermost].append(contentsOf: body)
        // On hosts, MCUs and tcc on x86-64: one GEMM per sample and group, W (out × in) times the input planes.
        var host = Nest()
        let hn = host.loop("n", out.n)
        let g = host.loop("g", a.groups)
        let bias = a.bias.map { plus(names.param($0), g.index * outPerGroup) } ?? "(const float *)0"
        host.pre[host.innermost].append(.line(
            "attn_gemm_nn(\(plus(pointer(v), index(v, n: hn.index) + g.index * (outPerGroup * ocs))), \(ocs), "
                + "\(plus(names.param(a.weight), g.index * (outPerGroup * inPerGroup))), \(inPerGroup), 1, "
                + "\(plus(pointer(x), index(x, n: hn.index) + g.index * (inPerGroup * xcs))), \(xcs), "
                + "\(outPerGroup), \(out.plane), \(inPerGroup), \(bias), 1.0f);"))
        p.block("") { p in
            HostBranch.printGEMM(
                options.target,
                gemm: { p in
                    p.use(.gemmNN)
                    host.print(into: &p)
                },
                other: { p in
                    p.use(.rowAxpy)
                    nest.print(into: &p)
                }, into: &p)
        }
    }

    /// A 1×1 convolution on 1×1 planes (SE's excitation as a conv): a linear layer per group,
    /// each output a dot of its weight row with its group's input channels. gcc and clang take a
    /// block of weight rows per step (`attn_rows_dot`), tcc and the rest a row dot per output;
    /// MCUs keep their GEMM form (`mcu`). The GEMM helpers' one-column product
    /// packed panels and ran register tiles for a single column.
    private func emitVectorConv(_ v: ValueID, _ a: Conv2dAttrs, mcu: (inout CPrinter) -> Void, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let out = instr.shape
        let inPerGroup = program.shape(of: x).c / a.groups
        let outPerGroup = out.c / a.groups
        let w = names.param(a.weight)
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let o = nest.loop("o", out.c)
        let plusBias = a.bias.map { " + \(names.param($0))[\(o.index)]" } ?? ""
        nest.pre[nest.innermost].append(.line(
            "\(pointer(v))[\(vectorIndex(v, n, o.index))] = attn_row_dot(\(plus(w, o.index * inPerGroup)), "
                + "\(plus(pointer(x), vectorIndex(x, n, a.groups > 1 ? o.index / outPerGroup * inPerGroup : .zero))), \(inPerGroup))\(plusBias);"))
        var host = Nest()
        let hn = host.loop("n", out.n)
        // A depthwise product (one weight per channel) is a multiply per channel: a block of rows
        // for each would be a call per channel on rows of one element.
        let depthwise = inPerGroup == 1 && outPerGroup == 1
        if depthwise {
            let c = host.loop("o", out.c)
            let bias = a.bias.map { " + \(names.param($0))[\(c.index)]" } ?? ""
            host.pre[host.innermost].append(.line(
                "\(pointer(v))[\(vectorIndex(v, hn, c.index))] = \(w)[\(c.index)] * \(pointer(x))[\(vectorIndex(x, hn, c.index))]\(bias);"))
        } else {
            let g = host.loop("g", a.groups)
            let bias = a.bias.map { plus(names.param($0), g.index * outPerGroup) } ?? "(const float *)0"
            host.pre[host.innermost].append(.line(
                "attn_rows_dot(\(plus(pointer(v), vectorIndex(v, hn, g.index * outPerGroup))), (float *)0, "
                    + "\(plus(w, g.index * (outPerGroup * inPerGroup))), \(outPerGroup), \(inPerGroup), "
                    + "\(plus(pointer(x), vectorIndex(x, hn, g.index * inPerGroup))), (const float *)0, \(bias));"))
        }
        p.split([.other], mcu, else: { p in
            p.block("") { p in
                HostBranch.print(
                    host: { p in
                        if !depthwise { p.use(.rowsDot) }
                        host.print(into: &p)
                    },
                    other: { p in
                        p.use(.rowDot)
                        nest.print(into: &p)
                    }, into: &p)
            }
        })
    }

    /// A convolution over wide rows (see `WideConv`): per sample, the padded copy of the input
    /// (per group, for grouped convs; split into phase planes, for strided ones); per output
    /// channel, every tap into the wide buffer, then the valid columns plus the bias to the output.
    private func emitWideConv(_ v: ValueID, _ a: Conv2dAttrs, _ geometry: WideConv, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let xs = program.shape(of: x)
        let out = instr.shape
        let (k, d, pad, st) = (a.kernel, a.dilation, a.padding, a.stride)
        let inPerGroup = xs.c / a.groups
        let outPerGroup = out.c / a.groups
        let taps = inPerGroup * k * k
        let phaseSize = geometry.rows * geometry.pitch
        let base = self.plan.temps[v]!.offset
        let name = names.value(v)
        let padded = "\(name)_padded"
        let wide = "\(name)_wide"
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let (i, y, c, o, g): (CExpr, CExpr, CExpr, CExpr, CExpr) = ("i", "y", "c", "o", "g")
        // Input channel `first + i` into padded plane i, for i < planes: its interior (the border
        // stays zero), or with a stride its pixels spread over the phase planes, row by row. `rows`:
        // tcc's whole-row copies (its scalar loop was two fifths of SK's time), a plane's rows in
        // one call (a call per short row, and tcc's loop around it, cost more than the rows).
        func copyIn(_ first: CExpr, planes: Int, rows: Bool = false) -> [Stmt] {
            // A group of one plane (a depthwise conv's) needs no loop over planes.
            let looped = planes > 1 || !geometry.perGroup
            let i: CExpr = looped ? "i" : .zero
            let channel = first + i
            let overPlanes = { (body: [Stmt]) -> [Stmt] in looped ? [.loop(variable: "i", extent: planes, body: body)] : body }
            guard st > 1 else {
                if rows {
                    let to = plus(padded, (i * geometry.rows + pad) * geometry.pitch + pad)
                    return overPlanes([
                        .line("attn_rows_copy(\(to), \(geometry.pitch), \(address(x, n: n.index, c: channel)), \(axisStride(x, along: .h)), \(xs.w), \(xs.h));")
                    ])
                }
                return overPlanes([.loop(variable: "y", extent: xs.h, body: [
                    .line("float *dst = \(plus(padded, (i * geometry.rows + y + pad) * geometry.pitch + pad));"),
                    .loop(variable: "c", extent: xs.w, body: [.line("dst[c] = \(element(x, n: n.index, c: channel, h: "y", w: "c"));")]),
                ])])
            }
            let yp = y + pad
            var row: [Stmt] = [.line("float *dst = \(plus(padded, i * geometry.planeSize + (yp % st) * (st * phaseSize) + (yp / st) * geometry.pitch));")]
            // Columns x ≡ x0 (mod s) land in column phase b = (x + pad) mod s, at (x + pad) / s.
            for b in 0..<st {
                let x0 = ((b - pad) % st + st) % st
                guard x0 < xs.w else { continue }
                row.append(.loop(variable: "c", extent: (xs.w - x0 + st - 1) / st, body: [
                    .line("dst[\(c + (b * phaseSize + (x0 + pad) / st))] = \(element(x, n: n.index, c: channel, h: "y", w: c * st + x0));")
                ]))
            }
            return overPlanes([.loop(variable: "y", extent: xs.h, body: row)])
        }
        // tcc on x86-64 with a stride of 2 over dense rows: each input row's even and odd columns
        // into their column phases in one packed call (its scalar strided copy was a quarter of
        // GE's time), else the loops above.
        let deinterleaved = st == 2 && xs.w > 1 && plan.layouts[x]!.hwStride == 1
        // With a stride of 1 over dense rows, each row in one packed copy.
        let rowsIn = plan.layouts[x]!.hwStride == 1 && st == 1
        func tccCopyIn(_ first: CExpr, planes: Int) -> [Stmt] {
            guard deinterleaved else { return copyIn(first, planes: planes, rows: rowsIn) }
            let looped = planes > 1 || !geometry.perGroup
            let i: CExpr = looped ? "i" : .zero
            let yp = y + pad
            // Column x lands in column phase (x + pad) mod 2, at (x + pad) / 2.
            let (evenPhase, oddPhase) = (pad % 2, (pad + 1) % 2)
            let row: [Stmt] = [
                .line("float *dst = \(plus(padded, i * geometry.planeSize + (yp % st) * (st * phaseSize) + (yp / st) * geometry.pitch));"),
                .line("attn_row_deinterleave(\(plus("dst", CExpr(evenPhase * phaseSize + pad / 2))), \(plus("dst", CExpr(oddPhase * phaseSize + (pad + 1) / 2))), "
                    + "\(address(x, n: n.index, c: first + i, h: y)), \(xs.w));"),
            ]
            let rows: [Stmt] = [.loop(variable: "y", extent: xs.h, body: row)]
            return looped ? [.loop(variable: "i", extent: planes, body: rows)] : rows
        }
        // Zero the border (and the slack), copy the interior: the taps then need no bounds at all.
        // A grouped conv copies each group's planes just before its output channels run.
        let zero = Stmt.loop(variable: "t", extent: geometry.paddedSize, body: [.line("\(padded)[t] = 0.0f;")])
        func setUp() -> [Stmt] { geometry.perGroup ? [zero] : [zero] + copyIn(.zero, planes: xs.c) }
        /// The loop over output channels `o` in steps of `step`, per group after its copy when grouped.
        func overOutputs(step: Int, copyIn: (CExpr, Int) -> [Stmt], _ body: [Stmt]) -> [Stmt] {
            guard geometry.perGroup else {
                return [step == 1 ? .loop(variable: "o", extent: out.c, body: body) : .stepped(variable: "o", extent: out.c, step: CExpr(step), body: body)]
            }
            let channels: [Stmt] = outPerGroup == step
                ? [.line("const int o = \(g * outPerGroup);")] + body
                : [.stepped(variable: "ob", extent: outPerGroup, step: CExpr(step), body: [.line("const int o = \(g * outPerGroup + "ob");")] + body)]
            return [.loop(variable: "g", extent: a.groups, body: copyIn(g * inPerGroup, inPerGroup) + channels)]
        }
        // The first padded plane of output channel o's group.
        let group = geometry.perGroup ? padded : plus(padded, (a.groups == 1 ? .zero : o / outPerGroup * inPerGroup) * geometry.planeSize)
        let bias = { (o: CExpr) in a.bias.map { " + \(names.param($0))[\(o)]" } ?? "" }
        // The valid columns of the wide buffer at `start` (channel o's), plus the bias, to the output.
        let copyOut = { (o: CExpr, start: CExpr) -> Stmt in
            .loop(variable: "y", extent: out.h, body: [.loop(variable: "c", extent: out.w, body: [
                .line("\(self.element(v, n: n.index, c: o, h: y, w: c)) = \(wide)[\(start + y * geometry.pitch + c)]\(bias(o));")
            ])])
        }
        // Offsets of every tap (input channel of the group, kh, kw) from the group's first plane.
        func tapTable() -> Stmt {
            var offsets: [Int] = []
            for i in 0..<inPerGroup { for kh in 0..<k { for kw in 0..<k { offsets.append(geometry.tapOffset(i, kh, kw, stride: st, dilation: d)) } } }
            return .line("static const int \(name)_taps[\(taps)] = {\(cIntList(offsets))};")
        }
        // tcc's forms fill the same table at run time, a few instructions a tap: libtcc parsed
        // the initializer's constants slower than it compiled the whole conv (a thousand taps
        // cost it about a millisecond), and the JIT compiles every kernel it runs.
        func tapFill() -> [Stmt] {
            let (i, kh, kw): (CExpr, CExpr, CExpr) = ("ti", "tkh", "tkw")
            let (y, x) = (kh * d, kw * d)
            let offset = i * geometry.planeSize + ((y % st) * st + x % st) * (geometry.rows * geometry.pitch) + (y / st) * geometry.pitch + x / st
            return [
                .line("int \(name)_taps[\(taps)];"),
                .loop(variable: "ti", extent: inPerGroup, body: [.loop(variable: "tkh", extent: k, body: [.loop(variable: "tkw", extent: k, body: [
                    .line("\(name)_taps[\((i * k + kh) * k + kw)] = \(offset);")
                ])])]),
            ]
        }
        // Each form below is built only when a compiler the file is for reads it: the JIT's file
        // has tcc's alone, and building the others was a quarter of CBAM's emission.
        // One axpy per tap: over the taps' nested loops, or the tap table where phases interleave.
        func perTapAxpys() -> [Stmt] {
            let (kh, kw): (CExpr, CExpr) = ("kh", "kw")
            return st == 1
                ? [.loop(variable: "i", extent: inPerGroup, body: [.loop(variable: "kh", extent: k, body: [.loop(variable: "kw", extent: k, body: [
                    .line("attn_row_axpy(\(wide), \(plus("group", (i * geometry.rows + kh * d) * geometry.pitch + kw * d)), w_o[\((i * k + kh) * k + kw)], \(geometry.wideLength));")
                ])])])]
                : [.loop(variable: "j", extent: taps, body: [
                    .line("attn_row_axpy(\(wide), group + \(name)_taps[j], w_o[j], \(geometry.wideLength));")
                ])]
        }
        func perTapForm() -> Nest {
            let tcc: [Stmt] = overOutputs(step: 1, copyIn: { copyIn($0, planes: $1) }, [
                .loop(variable: "t", extent: geometry.wideLength, body: [.line("\(wide)[t] = 0.0f;")]),
                .line("const float *w_o = \(plus(names.param(a.weight), o * taps));"),
                .line("const float *group = \(group);"),
            ] + perTapAxpys() + [copyOut(o, .zero)])
            var perTap = nest
            perTap.pre[perTap.innermost].append(contentsOf: setUp() + (st == 1 ? [] : [tapTable()]) + tcc)
            return perTap
        }
        func hostForm() -> Nest {
            let channels = Array("abcd".prefix(geometry.block)).map(String.init)
            let vectors = 0..<WideConv.vectors
            // Vector q of a tile: q lanes past `base`.
            let lanes = { (base: String, q: Int) in q == 0 ? base : q == 1 ? "\(base) + ATTN_V_LANES" : "\(base) + \(q) * ATTN_V_LANES" }
            // acc_<ch><q>: the tile's vectors of pixels of channel o + <ch>.
            var tileBody: [Stmt] = channels.map { ch in .line("attn_v " + vectors.map { "acc_\(ch)\($0) = {0}" }.joined(separator: ", ") + ";") }
            tileBody.append(.loop(variable: "j", extent: taps, body: [
                .line("const float *s = group + \(name)_taps[j] + t0;"),
                .line("attn_v " + vectors.map { "x\($0)" }.joined(separator: ", ") + ";"),
            ] + vectors.map { q in .line("__builtin_memcpy(&x\(q), \(lanes("s", q)), sizeof x\(q));") }
              + channels.map { ch in .line(vectors.map { "acc_\(ch)\($0) += w_\(ch)_row[j] * x\($0);" }.joined(separator: " ")) }))
            tileBody += channels.enumerated().flatMap { i, ch in
                vectors.map { q -> Stmt in
                    .line("__builtin_memcpy(\(lanes(plus(wide, CExpr(i * geometry.tiledLength) + "t0"), q)), &acc_\(ch)\(q), sizeof acc_\(ch)\(q));")
                }
            }
            // One output channel (CBAM's 2 → 1 spatial gate): a whole tile of register vectors (two
            // with AVX-512, four with AVX, eight on SSE and NEON), so that many multiply-add chains
            // are in flight instead of two; the vectors past the tile are dead code the compiler drops.
            if geometry.block == 1 {
                let vectors = 8
                // q vectors past a base, without the `0 *` and `1 *` that CExpr folds away elsewhere.
                let past = { (base: String, q: Int) in q == 0 ? base : q == 1 ? "\(base) + ATTN_V_LANES" : "\(base) + \(q) * ATTN_V_LANES" }
                let guarded = { (q: Int, body: String) -> Stmt in
                    .line(q < 2 ? "{ \(body) }" : "if (\(q) * ATTN_V_LANES < \(WideConv.tile)) { \(body) }")
                }
                tileBody = [.line((0..<vectors).map { "attn_v acc\($0) = {0}" }.joined(separator: ", ").replacingOccurrences(of: ", attn_v", with: ",") + ";")]
                tileBody.append(.loop(variable: "j", extent: taps, body: [
                    .line("const float *s = group + \(name)_taps[j] + t0;"),
                    .line("const float wj = w_a_row[j];"),
                ] + (0..<vectors).map { q in
                    guarded(q, "attn_v x; __builtin_memcpy(&x, \(past("s", q)), sizeof x); acc\(q) += wj * x;")
                }))
                tileBody += (0..<vectors).map { q in
                    guarded(q, "__builtin_memcpy(\(past("\(wide) + t0", q)), &acc\(q), sizeof acc\(q));")
                }
            }
            let tileStep = geometry.block == 1 ? CExpr(WideConv.tile) : CExpr.variable("ATTN_V_LANES") * WideConv.vectors
            // Blocks of channels stop at the first tile past the wide pixels: their tiles (three
            // vectors: 12, 24 or 48 pixels) divide the granule, so the last one ends inside the
            // rounded-up buffer, but most are shorter than it (AVX2: 840 of 864 at 28×28).
            let tiledExtent = geometry.block == 1 ? geometry.tiledExtent : geometry.wideLength
            var tiles: [Stmt] = [.stepped(variable: "t0", extent: tiledExtent, step: tileStep, body: tileBody)]
            if geometry.pairsRows {
                // With AVX, output rows in pairs: four vectors of row y0 and four of row y0 + 1.
                // Window row u is row u of the first's taps and row u − 1 of the second's, so each
                // input load feeds both rows (loads, not multiply-adds, bound the tiles above). The
                // empty asm keeps the loads in registers: gcc otherwise folded a load into each
                // row's multiply-add and read every vector twice. Each pixel still adds its taps in
                // the table's order: the same bits. Without AVX the vectors are SSE's 4 lanes, and
                // the pairs measured slower than the tiles.
                let quad = 0..<4
                let (pitch, planeSize) = (geometry.pitch, geometry.rows * geometry.pitch)
                let sums = { (row: String, u: String) -> String in
                    "const float w = w_a_row[(i * \(k) + \(u)) * \(k) + kw]; " + quad.map { "\(row)\($0) += w * x\($0);" }.joined(separator: " ")
                }
                let pair: [Stmt] = [
                    .line("const int t0 = y0 * \(pitch) + tx;"),
                    .line("attn_v " + ["a", "b"].flatMap { r in quad.map { "\(r)\($0) = {0}" } }.joined(separator: ", ") + ";"),
                    .loop(variable: "i", extent: inPerGroup, body: [.loop(variable: "u", extent: k + 1, body: [.loop(variable: "kw", extent: k, body: [
                        .line("const float *s = group + i * \(planeSize) + u * \(pitch) + kw + t0;"),
                        .line("attn_v x0, x1, x2, x3;"),
                    ] + quad.map { q in .line("__builtin_memcpy(&x\(q), \(lanes("s", q)), sizeof x\(q));") } + [
                        .line("__asm__(\"\" : \"+v\"(x0), \"+v\"(x1), \"+v\"(x2), \"+v\"(x3));"),
                        .line("if (u < \(k)) { \(sums("a", "u")) }"),
                        .line("if (u > 0) { \(sums("b", "u - 1")) }"),
                    ])])]),
                ] + quad.map { q in .line("__builtin_memcpy(\(lanes("\(wide) + t0", q)), &a\(q), sizeof a\(q));") }
                  + quad.map { q in .line("__builtin_memcpy(\(lanes("\(wide) + t0 + \(pitch)", q)), &b\(q), sizeof b\(q));") }
                tiles = [.line("#if defined(__AVX__)"),
                    .stepped(variable: "y0", extent: out.h, step: CExpr(2), body: [
                        .stepped(variable: "tx", extent: pitch, step: CExpr.variable("ATTN_V_LANES") * 4, body: pair)
                    ]),
                    .line("#else"), tapTable()] + tiles + [.line("#endif")]
            }
            let compiled: [Stmt] = overOutputs(step: geometry.block, copyIn: { copyIn($0, planes: $1) }, [
                    .line("const float *group = \(group);")
                ] + channels.enumerated().map { i, ch in
                    .line("const float *w_\(ch)_row = \(plus(names.param(a.weight), (o + i) * taps));")
                } + tiles + channels.indices.map { i in
                    copyOut(o + i, CExpr(i * geometry.tiledLength))
                })
            // gcc and clang on 64-bit hosts: the register-tiled form in their vector extension; tcc
            // (no vector types): one axpy per tap, or its asm micro-kernel (below).
            var tiled: [Stmt] = []
            // One vector register: 16 lanes with AVX-512, 8 with AVX, else 4 (SSE, NEON: 8-lane
            // vectors there are register pairs, and four channels' tiles of pairs overflow SSE's 16
            // registers).
            tiled.append(.line("#if defined(__AVX512F__)"))
            tiled.append(.line("#define ATTN_V_LANES 16"))
            tiled.append(.line("#elif defined(__AVX__)"))
            tiled.append(.line("#define ATTN_V_LANES 8"))
            tiled.append(.line("#else"))
            tiled.append(.line("#define ATTN_V_LANES 4"))
            tiled.append(.line("#endif"))
            tiled.append(.line("typedef float attn_v __attribute__((vector_size(4 * ATTN_V_LANES)));"))
            // Paired rows read their taps in loops; the tiles' table sits in their branch.
            if !geometry.pairsRows { tiled.append(tapTable()) }
            tiled.append(contentsOf: compiled)
            var hostNest = nest
            hostNest.pre[hostNest.innermost].append(contentsOf: setUp() + tiled)
            return hostNest
        }
        // tcc on x86-64, channels in fours: every tap of four channels at once in its asm
        // micro-kernel (attn_wide_taps), over the same tap table; the zeroing, and dense rows out
        // of the wide buffer, in packed SSE (tcc's scalar loops took a fifth of SK's time).
        let rowsOut = plan.layouts[v]!.hwStride == 1
        let tccZero = Stmt.line("attn_row_zero(\(padded), \(geometry.paddedSize));")
        func tccBody() -> [Stmt] { geometry.perGroup ? [tccZero] : [tccZero] + tccCopyIn(.zero, planes: xs.c) }
        let tccCopyOut = { (o: CExpr, start: CExpr) -> Stmt in
            guard rowsOut else { return copyOut(o, start) }
            let (dst, dstPitch) = (self.address(v, n: n.index, c: o), self.axisStride(v, along: .h))
            // With a bias, the rows go out through the map helper's `a + s` (the same add as
            // the scalar loop's): the scalar copy was over a quarter of lambda's tcc time.
            if let bias = a.bias {
                return .line(
                    "attn_rows_map(\(dst), \(dstPitch), \(plus(wide, start)), \(geometry.pitch), 0, 0, \(self.names.param(bias))[\(o)], 0, 0, \(RowMapOp.addScalar.rawValue), \(out.w), \(out.h));")
            }
            return .line("attn_rows_copy(\(dst), \(dstPitch), \(plus(wide, start)), \(geometry.pitch), \(out.w), \(out.h));")
        }
        func tccForm() -> Nest {
            var tccNest = nest
            tccNest.pre[tccNest.innermost].append(contentsOf: tccBody() + tapFill() + overOutputs(step: 4, copyIn: tccCopyIn, [
                    .line("attn_row_zero(\(wide), \(4 * geometry.tiledLength));"),
                    .line("attn_wide_taps(\(wide), \(geometry.tiledLength), \(plus(names.param(a.weight), o * taps)), \(taps), \(group), \(name)_taps, \(geometry.tiledLength));"),
                ] + (0..<4).map { i in tccCopyOut(o + i, CExpr(i * geometry.tiledLength)) }))
            return tccNest
        }
        // tcc on x86-64, blocks of one or two channels (CBAM's 2 → 1 gate, depthwise convs, PSA's
        // groups of two): channel by channel, every tap of a tile of pixels held in registers
        // (attn_wide_taps1) over the tap table, the tiles running to the rounded-up wide buffer
        // as the host form's do; one axpy per tap loaded and stored the wide row for every tap
        // (PSA's grouped convs took 45 % of its tcc time that way).
        func tccOneChannelForm() -> Nest {
            var oneNest = nest
            oneNest.pre[oneNest.innermost].append(contentsOf: tccBody() + tapFill() + overOutputs(step: 1, copyIn: tccCopyIn, [
                .line("attn_row_zero(\(wide), \(geometry.tiledLength));"),
                .line("attn_wide_taps1(\(wide), \(plus(names.param(a.weight), o * taps)), \(taps), \(group), \(name)_taps, \(geometry.tiledLength));"),
                tccCopyOut(o, .zero),
            ]))
            return oneNest
        }
        p.block("") { p in
            let shape = st == 1 ? "[\(geometry.planes), \(geometry.rows), \(geometry.pitch)]" : "[\(geometry.planes), \(geometry.phases), \(geometry.rows), \(geometry.pitch)]"
            p.line("float *\(padded) = \(plus("scratch", CExpr(base))); /* \(shape) + \(geometry.granule) */")
            p.line("float *\(wide) = \(plus("scratch", CExpr(base + geometry.paddedSize))); /* \(geometry.block) × \(geometry.tiledLength) */")
            let perTap = { (p: inout CPrinter) in
                p.use(.rowAxpy)
                perTapForm().print(into: &p)
            }
            // tcc's packed glue around either of its forms: zeroing, row copies, phase splits.
            let useTCCGlue = { (p: inout CPrinter) in
                p.use(.rowZero)
                if (rowsOut && a.bias == nil) || rowsIn { p.use(.rowsCopy) }
                if rowsOut && a.bias != nil { p.use(.rowsMap) }
                if deinterleaved { p.use(.rowDeinterleave) }
            }
            HostBranch.print(
                host: { p in hostForm().print(into: &p) },
                other: { p in
                    guard geometry.block == 4 else {
                        return HostBranch.printTCCAsm(
                            options.target,
                            asm: { p in
                                useTCCGlue(&p)
                                p.use(.wideTaps1)
                                tccOneChannelForm().print(into: &p)
                            }, other: perTap, into: &p)
                    }
                    HostBranch.printGEMM(
                        options.target,
                        gemm: { p in
                            p.use(.wideTaps)
                            useTCCGlue(&p)
                            tccForm().print(into: &p)
                        }, other: perTap, into: &p)
                }, into: &p)
        }
    }

    /// A convolution whose window spans the plane (see `ToeplitzConv`): per output channel, its
    /// kernel rows as Toeplitz bands, then one GEMM per output row, every sample's input plane
    /// times that row's run of bands; the bias after.
    private func emitToeplitzConv(_ v: ValueID, _ a: Conv2dAttrs, _ geometry: ToeplitzConv, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let xs = program.shape(of: x)
        let out = instr.shape
        let (xLayout, outLayout) = (plan.layouts[x]!, plan.layouts[v]!)
        let (k, pad, ow) = (a.kernel, a.padding, out.w)
        let base = self.plan.temps[v]!.offset
        let name = names.value(v)
        let (bands, reversed) = ("\(name)_bands", "\(name)_reversed")
        let (o, b, xi, t, oy): (CExpr, CExpr, CExpr, CExpr, CExpr) = ("o", "b", "x", "t", "oy")
        let kh = b + geometry.firstKernelRow
        let outPerGroup = out.c / a.groups
        p.use(.gemmNN)
        p.line("float *\(bands) = \(plus("scratch", CExpr(base))); /* \(geometry.bands) × [\(xs.w), \(ow)] */")
        p.line("float *\(reversed) = \(plus("scratch", CExpr(base + geometry.bands * geometry.bandSize))); /* \(ow) + \(k) + \(ow) */")
        Stmt.loop(variable: "t", extent: geometry.reversedRowSize, body: [.line("\(reversed)[t] = 0.0f;")]).print(into: &p)
        // Bands of kernel rows past either end of the kernel are zeros, the same for every channel.
        let (lo, hi) = (max(0, -geometry.firstKernelRow), min(geometry.bands, k - geometry.firstKernelRow))
        for (from, to) in [(0, lo), (hi, geometry.bands)] where to > from {
            Stmt.loop(variable: "t", extent: (to - from) * geometry.bandSize, body: [
                .line("\(bands)[\(t + from * geometry.bandSize)] = 0.0f;")
            ]).print(into: &p)
        }
        // Band b holds kernel row kh = b + firstKernelRow: [x][ox] = w[kh][x − ox + pad], which
        // runs backwards along the row, so the row is reversed once and each x copies OW floats.
        let band: [Stmt] = [
            .line("float *band = \(plus(bands, b * geometry.bandSize));"),
            .line("const float *w_row = \(plus(names.param(a.weight), (o * k + kh) * k));"),
            .loop(variable: "t", extent: k, body: [.line("\(reversed)[\(t + ow)] = w_row[\(CExpr(k - 1) - t)];")]),
            .loop(variable: "x", extent: xs.w, body: [
                .line("const float *src = \(plus(reversed, CExpr(k + ow - 1 - pad) - xi));"),
                .loop(variable: "t", extent: ow, body: [.line("band[\(xi * ow + t)] = src[t];")]),
            ]),
        ]
        // Output row oy meets kernel rows pad − oy … pad − oy + H − 1: bands OH − 1 − oy onwards.
        let (cRow, aRows) = (plus(pointer(v), o * outLayout.cStride + oy * ow), plus(pointer(x), o / outPerGroup * xLayout.cStride))
        let bRun = plus(bands, (CExpr(out.h - 1) - oy) * geometry.bandSize)
        let viaHelper = Stmt.loop(variable: "oy", extent: out.h, body: [
            .line(
                "attn_gemm_nn(\(cRow), \(outLayout.nStride), \(aRows), \(xLayout.nStride), \(xLayout.hwStride), \(bRun), \(ow), \(out.n), \(ow), "
                    + "\(xs.plane), (const float *)0, 1.0f);")
        ])
        // gcc and clang hosts: where OW is one or two vectors, the bands' rows already are the
        // packed panel attn_gemm_nn would copy B into (each k's OW consecutive columns), so the
        // register tiles run on the bands in place, a block of k at a time. That copy, a load and
        // a store per sixteen multiply-adds, was most of the conv's time outside the tiles.
        let p0: CExpr = "p0"
        let inPlace = Stmt.loop(variable: "oy", extent: out.h, body: [
            .line("for (long p0 = 0; p0 < \(xs.plane); p0 += ATTN_GEMM_KC) {"),
            .line("    const long kc = \(xs.plane) - p0 < ATTN_GEMM_KC ? \(xs.plane) - p0 : ATTN_GEMM_KC;"),
            .line(
                "    attn_gemm_panel(\(cRow), \(outLayout.nStride), 1, \(plus(aRows, p0)), \(xLayout.nStride), "
                    + "\(plus(bRun, p0 * ow)), \(out.n), kc, \(ow), p0 == 0);"),
            .line("}"),
        ])
        var bias: [Stmt] = []
        if let biasParam = a.bias {
            bias.append(.loop(variable: "n", extent: out.n, body: [.loop(variable: "t", extent: out.plane, body: [
                .line("\(pointer(v))[\(index(v, n: "n", c: o) + t)] += \(names.param(biasParam))[o];")
            ])]))
        }
        p.block("for (int o = 0; o < \(out.c); o++)") { p in
            Stmt.range(variable: "b", from: CExpr(lo), to: CExpr(hi), body: band).print(into: &p)
            if xLayout.hwStride == 1 {
                HostBranch.print(
                    host: { p in
                        p.block("if (\(ow) == ATTN_GEMM_LANES || \(ow) == 2 * ATTN_GEMM_LANES)") { p in inPlace.print(into: &p) }
                        p.block("else") { p in viaHelper.print(into: &p) }
                    }, other: { p in viaHelper.print(into: &p) }, into: &p)
            } else {
                viaHelper.print(into: &p)
            }
            for s in bias { s.print(into: &p) }
        }
    }

    /// A 1×1 convolution reading channels-last (NHWC) input: each output element is a dot of a
    /// weight row with the pixel's contiguous channels.
    private func emitPointwiseConvChannelsLast(_ v: ValueID, _ a: Conv2dAttrs, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let xs = program.shape(of: x)
        let out = instr.shape
        let inPerGroup = xs.c / a.groups
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let t = nest.loop("t", out.plane)
        let o = nest.loop("o", out.c)
        let start = a.bias.map { " + \(names.param($0))[\(o.index)]" } ?? ""
        // The pixel's first input channel of o's group.
        let first = a.groups == 1 ? CExpr.zero : o.index / (out.c / a.groups) * inPerGroup
        let pixel = plus(pointer(x), index(x, n: n.index) + t.index * axisStride(x, along: .hw) + first)
        let dst = "\(pointer(v))[\(index(v, n: n.index, c: o.index) + t.index * axisStride(v, along: .hw))]"
        p.use(.rowDot)
        nest.pre[nest.innermost].append(
            .line("\(dst) = attn_row_dot(\(plus(names.param(a.weight), o.index * inPerGroup)), \(pixel), \(inPerGroup))\(start);"))
        print(nest, into: &p)
    }

    /// The same convolution a tap at a time over whole output rows: for each output row, each
    /// input channel and each valid (kh, kw), `out_row[lo..hi) += w · in_row[lo + shift ..]`.
    /// Every element sums its taps in the same order as the per-pixel form.
    private func emitConv2dRows(_ v: ValueID, _ a: Conv2dAttrs, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let xs = program.shape(of: x)
        let out = instr.shape
        let xLayout = plan.layouts[x]!
        let outLayout = plan.layouts[v]!
        let (k, d, pad) = (a.kernel, a.dilation, a.padding)
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let o = nest.loop("o", out.c)
        let h = nest.loop("h", out.h)
        let wt = names.param(a.weight)
        let start = a.bias.map { "\(names.param($0))[\(o.index)]" } ?? "0.0f"
        let row = outIndex(out, outLayout, n.index, o.index, h.index, .zero)
        nest.pre[h.depth].append(contentsOf: tapRange("kh", h.index, extent: xs.h, k: k, d: d, pad: pad))
        let inPerGroup = xs.c / a.groups
        let (kh, kw, lo): (CExpr, CExpr, CExpr) = ("kh", "kw", "lo")
        let body: [Stmt] = [
            .line("float *out_row = \(plus(pointer(v), row));"),
            .loop(variable: "w", extent: out.w, body: [.line("out_row[w] = \(start);")]),
            .loop(variable: "i", extent: inPerGroup, body: [
                .line("const float *x_plane = \(plus(pointer(x), n.index * xLayout.nStride + inputChannel(a, out, o.index, inPerGroup) * xLayout.cStride));"),
                .line("const float *w_plane = \(plus(wt, (o.index * inPerGroup + "i") * (k * k)));"),
                .range(variable: "kh", from: "kh0", to: "kh1", body: [
                    .line("const float *x_row = \(plus("x_plane", (h.index + kh * d - pad) * xs.w));"),
                    .loop(variable: "kw", extent: k, body: [
                        // Output columns whose tap falls inside the input row.
                        .line("const int lo = \(kw * d) < \(pad) ? \(pad - kw * d) : 0;"),
                        .line("const int hi_ = \(xs.w + pad - kw * d);"),
                        .line("const int hi = hi_ < \(out.w) ? hi_ : \(out.w);"),
                        .line("if (hi > lo) attn_row_axpy(out_row + lo, \(plus("x_row", lo + kw * d - pad)), w_plane[\(kh * k + kw)], hi - lo);"),
                    ]),
                ]),
            ]),
        ]
        nest.pre[nest.innermost].append(contentsOf: body)
        // MCUs: a row of a group's output channels per call, in register tiles (attn_conv_rows):
        // an axpy per tap loads and stores the sum for every multiply-add. Only where a tile of
        // four columns has every tap inside the row: elsewhere (dilations as wide as the plane)
        // each column's tap range costs more than the tiles save, and the axpys stay.
        let interior = min(out.w, xs.w + pad - (k - 1) * d) - min(pad, out.w)
        guard interior >= 4 else {
            p.use(.rowAxpy)
            return print(nest, into: &p)
        }
        var mcu = Nest()
        let mn = mcu.loop("n", out.n)
        let g = mcu.loop("g", a.groups)
        let mh = mcu.loop("h", out.h)
        let outPerGroup = out.c / a.groups
        let bias = a.bias.map { plus(names.param($0), g.index * outPerGroup) } ?? "(const float *)0"
        mcu.pre[mcu.innermost].append(.line(
            "attn_conv_rows(\(plus(pointer(v), outIndex(out, outLayout, mn.index, g.index * outPerGroup, mh.index, .zero))), \(outLayout.cStride), "
                + "\(plus(wt, g.index * (outPerGroup * inPerGroup * k * k))), "
                + "\(plus(pointer(x), mn.index * xLayout.nStride + g.index * (inPerGroup * xLayout.cStride))), \(xLayout.cStride), "
                + "\(xs.h), \(xs.w), \(outPerGroup), \(inPerGroup), \(k), \(d), \(pad), \(mh.index), \(out.w), \(bias));"))
        p.split(
            [.other],
            { p in
                p.use(.convRows)
                print(mcu, into: &p)
            },
            else: { p in
                p.use(.rowAxpy)
                print(nest, into: &p)
            })
    }

    /// A stride-1 convolution of a plane one column wide: only the kernel column whose tap lands
    /// on that column (kw·d = padding) reads the input, and each of its taps is one axpy down the
    /// whole contiguous column, the sums in the per-pixel form's order (bias, then i, then kh).
    private func emitConv2dColumn(_ v: ValueID, _ a: Conv2dAttrs, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let xs = program.shape(of: x)
        let out = instr.shape
        let xLayout = plan.layouts[x]!
        let outLayout = plan.layouts[v]!
        let (k, d, pad) = (a.kernel, a.dilation, a.padding)
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let o = nest.loop("o", out.c)
        let wt = names.param(a.weight)
        let start = a.bias.map { "\(names.param($0))[\(o.index)]" } ?? "0.0f"
        let inPerGroup = xs.c / a.groups
        var body: [Stmt] = [
            .line("float *out_col = \(plus(pointer(v), outIndex(out, outLayout, n.index, o.index, .zero, .zero)));"),
            .loop(variable: "h", extent: out.h, body: [.line("out_col[h] = \(start);")]),
        ]
        // The kernel column that reads input column 0, if any (else only the bias is left).
        let reads = pad % d == 0 && pad / d < k
        if reads {
            let column = pad / d
            let kh: CExpr = "kh"
            body.append(.loop(variable: "i", extent: inPerGroup, body: [
                .line("const float *x_col = \(plus(pointer(x), n.index * xLayout.nStride + inputChannel(a, out, o.index, inPerGroup) * xLayout.cStride));"),
                .line("const float *w_plane = \(plus(wt, (o.index * inPerGroup + "i") * (k * k)));"),
                .loop(variable: "kh", extent: k, body: [
                    // Output rows whose tap falls inside the input column.
                    .line("const int lo = \(kh * d) < \(pad) ? \(pad - kh * d) : 0;"),
                    .line("const int hi_ = \(xs.h + pad - kh * d);"),
                    .line("const int hi = hi_ < \(out.h) ? hi_ : \(out.h);"),
                    .line("if (hi > lo) attn_row_axpy(out_col + lo, \(plus("x_col", "lo" + kh * d - pad)), w_plane[\(kh * k + column)], hi - lo);"),
                ]),
            ]))
        }
        nest.pre[nest.innermost].append(contentsOf: body)
        if reads { p.use(.rowAxpy) }
        print(nest, into: &p)
    }

    /// The input channel that the group-local index `i` of output channel `o`'s group reads.
    private func inputChannel(_ a: Conv2dAttrs, _ out: Shape, _ o: CExpr, _ inPerGroup: Int) -> CExpr {
        guard a.groups > 1 else { return "i" }
        return o / (out.c / a.groups) * inPerGroup + "i"
    }

    /// `t0`/`t1`: the taps t in [0, k) with `0 <= pos + t·d - pad < extent`.
    private func tapRange(_ t: String, _ pos: CExpr, extent: Int, k: Int, d: Int, pad: Int) -> [Stmt] {
        // Lowest tap: ceil((pad - pos) / d) when positive. Highest: floor((extent-1+pad-pos)/d),
        // guarded before dividing since C division truncates toward zero.
        let low = "\(pos) < \(pad) ? \((pad - pos + (d - 1)) / d) : 0"
        let span = extent - 1 + pad - pos
        let high = "\(span) < 0 ? 0 : \(span / d + 1)"
        return [
            .line("const int \(t)0 = \(low);"),
            .line("const int \(t)1_ = \(high);"),
            .line("const int \(t)1 = \(t)1_ < \(k) ? \(t)1_ : \(k);"),
        ]
    }

    /// Start of sample n's channels in a stored vector.
    private func vectorRow(_ x: ValueID, _ n: LoopIndex) -> String {
        let layout = plan.layouts[x]!
        return n.index.isZero ? pointer(x) : "(\(plus(pointer(x), n.index * layout.nStride)))"
    }

    private func vectorIndex(_ v: ValueID, _ n: LoopIndex, _ c: CExpr) -> CExpr {
        n.index * plan.layouts[v]!.nStride + c
    }

    private func outIndex(_ s: Shape, _ l: Layout, _ n: CExpr, _ c: CExpr, _ h: CExpr, _ w: CExpr) -> CExpr {
        n * l.nStride + c * l.cStride + h * (s.w * l.hwStride) + w * l.hwStride
    }

    private func print(_ nest: Nest, into p: inout CPrinter) {
        if nest.pre[0].isEmpty && nest.post[0].isEmpty {
            nest.print(into: &p)
        } else {
            p.block("") { p in nest.print(into: &p) }
        }
    }
}
