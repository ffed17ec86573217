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
        let wRow = o.index == "0" ? w : "\(w) + \(o.index) * \(inputs)"
        let start = bias.map { "\(names.param($0))[\(o.index)]" } ?? "0.0f"
        var body: [Stmt] = []
        let accs = group.map { "\(names.value($0))_acc" }
        let rows = group.map { vectorRow(program.instrs[$0 - 1].operands[0], n) }
        if group.count == 2 {
            body.append(.line("float \(accs[0]), \(accs[1]);"))
            body.append(.line("attn_row_dot2(\(wRow), \(rows[0]), \(rows[1]), \(inputs), &\(accs[0]), &\(accs[1]));"))
            for (u, acc) in zip(group, accs) {
                body.append(.line("\(pointer(u))[\(vectorIndex(u, n, o.index))] = \(acc) + \(start);"))
            }
        } else {
            for (u, (acc, row)) in zip(group, zip(accs, rows)) {
                body.append(.line("const float \(acc) = attn_row_dot(\(wRow), \(row), \(inputs));"))
                body.append(.line("\(pointer(u))[\(vectorIndex(u, n, o.index))] = \(acc) + \(start);"))
            }
        }
        nest.pre[nest.innermost].append(contentsOf: body)
        guard instr.shape.c >= 8 else { return print(nest, into: &p) }
        // gcc and clang on hosts: eight weight rows per step (`attn_rows_dot`), per sample.
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
                    p.line(group.count == 2 ? "(void)attn_row_dot2;" : "(void)attn_row_dot;")
                    host.print(into: &p)
                }, other: { p in nest.print(into: &p) }, into: &p)
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
        let xRow = vectorRow(x, n)
        let pad = (kernel - 1) / 2
        /// The sum at channel c, testing taps that may fall below 0 (`low`) or past C − 1 (`high`):
        /// zero padding skips them, circular padding wraps them once around the C channels.
        func body(_ c: String, low: Bool, high: Bool) -> [Stmt] {
            var body: [Stmt] = [.line("float \(acc) = 0.0f;")]
            // Taps are unrolled with their literal shift.
            for j in 0..<kernel {
                let shift = j - pad
                let index = shift == 0 ? c : "\(c) \(shift < 0 ? "-" : "+") \(abs(shift))"
                var guards: [String] = []
                if low && shift < 0 { guards.append("\(c) >= \(-shift)") }
                if high && shift > 0 { guards.append("\(c) < \(channels - shift)") }
                switch padding {
                case .zeros:
                    let term = "\(acc) += \(w)[\(j)] * \(xRow)[\(index)];"
                    body.append(.line(guards.isEmpty ? term : "if (\(guards.joined(separator: " && "))) \(term)"))
                case .circular:
                    // One guard at most (a tap shifts one way), and |shift| ≤ C wraps once.
                    let term = "\(acc) += \(w)[\(j)] * \(xRow)[\(index)];"
                    guard let inside = guards.first else {
                        body.append(.line(term))
                        break
                    }
                    let wrapped = "\(acc) += \(w)[\(j)] * \(xRow)[\(index) \(shift < 0 ? "+" : "-") \(channels)];"
                    body.append(.line("if (\(inside)) \(term) else \(wrapped)"))
                }
            }
            body.append(.line("\(pointer(v))[\(vectorIndex(v, n, c))] = \(acc);"))
            return body
        }
        var guarded = nest
        let c = guarded.loop("c", channels)
        guarded.pre[guarded.innermost].append(contentsOf: body(c.index, low: true, high: true))
        guard pad > 0 && channels > 2 * pad else { return print(guarded, into: &p) }
        // gcc and clang on hosts: the edges apart, so the loop over the interior has no tests and
        // vectorises (ECA at 2048 channels: 2.65 -> 0.3 us, gcc -O3). MCUs and tcc keep one loop,
        // which is smaller code and no slower without vector units.
        nest.pre[nest.innermost].append(contentsOf: [
            .range(variable: "c", from: "0", to: "\(pad)", body: body("c", low: true, high: false)),
            .range(variable: "c", from: "\(pad)", to: "\(channels - pad)", body: body("c", low: false, high: false)),
            .range(variable: "c", from: "\(channels - pad)", to: "\(channels)", body: body("c", low: false, high: true)),
        ])
        p.block("") { p in HostBranch.print(host: { p in nest.print(into: &p) }, other: { p in guarded.print(into: &p) }, into: &p) }
    }

    /// k×k convolution with zero padding and dilation; taps outside the input are skipped.
    /// Contiguous rows (NCHW on both sides) go tap by tap over whole rows; NHWC pixel by pixel.
    func emitConv2d(_ v: ValueID, _ a: Conv2dAttrs, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        if let wide = WideConv(a, input: program.shape(of: x), output: instr.shape, inputLayout: plan.layouts[x]!) {
            // 64-bit hosts run the wide form on padded copies (scratch MCUs are not asked for);
            // everything else, the direct form below.
            p.line("#if defined(__x86_64__) || defined(__aarch64__)")
            emitWideConv(v, a, wide, into: &p)
            p.line("#else")
            // The host branch's helper, which the direct form may not call (NHWC input).
            p.line("(void)attn_row_axpy;")
            emitConv2dDirect(v, a, into: &p)
            p.line("#endif")
            return
        }
        emitConv2dDirect(v, a, into: &p)
    }

    /// The convolution without working scratch: 1×1 as plane axpys or channel dots, k×k over
    /// whole output rows, or pixel by pixel.
    private func emitConv2dDirect(_ v: ValueID, _ a: Conv2dAttrs, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let xLayout = plan.layouts[x]!
        let outLayout = plan.layouts[v]!
        if a.kernel == 1 && a.padding == 0 && a.stride == 1 {
            if xLayout.hwStride == 1 && outLayout.hwStride == 1 {
                emitPointwiseConv(v, a, into: &p)
                return
            }
            if xLayout.cStride == 1 {
                emitPointwiseConvChannelsLast(v, a, into: &p)
                return
            }
        }
        if xLayout.hwStride == 1 && outLayout.hwStride == 1 && a.stride == 1 {
            emitConv2dRows(v, a, into: &p)
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
        let xBase = n.index == "0" ? pointer(x) : "\(pointer(x)) + \(n.index) * \(xLayout.nStride)"
        let (d, pad, st) = (a.dilation, a.padding, a.stride)
        let (hPos, wPos) = (st == 1 ? h.index : "(\(h.index) * \(st))", st == 1 ? w.index : "(\(w.index) * \(st))")
        // The taps that land inside the input, computed once per row and per column, so the
        // inner loops carry no bounds tests (zero padding contributes nothing).
        nest.pre[h.depth].append(contentsOf: tapRange("kh", hPos, extent: xs.h, k: k, d: d, pad: pad))
        nest.pre[w.depth].append(contentsOf: tapRange("kw", wPos, extent: xs.w, k: k, d: d, pad: pad))
        let hs = xLayout.hwStride
        let pixel = { (row: String, col: String) in hs == 1 ? "\(row) * \(xs.w) + \(col)" : "(\(row) * \(xs.w) + \(col)) * \(hs)" }
        let inner: [Stmt] = [
            .line("const float *w_row = w_plane + kh * \(k);"),
            .line("const int y = \(hPos) + kh * \(d) - \(pad);"),
            .range(variable: "kw", from: "kw0", to: "kw1", body: [
                .line("\(acc) += w_row[kw] * x_plane[\(pixel("y", "\(wPos) + kw * \(d) - \(pad)"))];")
            ]),
        ]
        let inPerGroup = xs.c / a.groups
        let body: [Stmt] = [
            .line("float \(acc) = \(start);"),
            .loop(variable: "i", extent: inPerGroup, body: [
                .line("const float *x_plane = \(xBase) + \(inputChannel(a, out, o.index, xs.c / a.groups)) * \(xLayout.cStride);"),
                .line("const float *w_plane = \(wt) + (\(o.index) * \(inPerGroup) + i) * \(k * k);"),
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
            .line("float *out_plane = \(pointer(v)) + \(index(v, n: n.index, c: o.index));"),
            .line("const float *x_planes = \(pointer(x)) + \(index(x, n: n.index));"),
            .line("const float *w_row = \(names.param(a.weight)) + \(scaled(o.index, inPerGroup));"),
            .loop(variable: "t", extent: out.plane, body: [.line("out_plane[t] = \(start);")]),
            .loop(variable: "i", extent: inPerGroup, body: [
                .line("attn_row_axpy(out_plane, x_planes + \(inputChannel(a, out, o.index, inPerGroup)) * \(xcs), w_row[i], \(out.plane));")
            ]),
        ]
        nest.pre[nest.innermost].append(contentsOf: body)
        // On hosts: one GEMM per sample and group, W (out × in) times the input planes.
        var host = Nest()
        let hn = host.loop("n", out.n)
        let g = host.loop("g", a.groups)
        let bias = a.bias.map { "\(names.param($0)) + \(scaled(g.index, outPerGroup))" } ?? "(const float *)0"
        host.pre[host.innermost].append(.line(
            "attn_gemm_nn(\(pointer(v)) + \(index(v, n: hn.index)) + \(scaled(g.index, outPerGroup * ocs)), \(ocs), "
                + "\(names.param(a.weight)) + \(scaled(g.index, outPerGroup * inPerGroup)), \(inPerGroup), 1, "
                + "\(pointer(x)) + \(index(x, n: hn.index)) + \(scaled(g.index, inPerGroup * xcs)), \(xcs), "
                + "\(outPerGroup), \(out.plane), \(inPerGroup), \(bias), 1.0f);"))
        p.block("") { p in
            HostBranch.print(
                host: { p in
                    p.line("(void)attn_row_axpy;")
                    host.print(into: &p)
                }, other: { p in nest.print(into: &p) }, into: &p)
        }
    }

    /// A stride-1 convolution over wide rows (see `WideConv`): per sample, the padded copy of the
    /// input; per output channel, one axpy per tap into the wide buffer, then the valid columns
    /// plus the bias to the output.
    private func emitWideConv(_ v: ValueID, _ a: Conv2dAttrs, _ geometry: WideConv, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let xs = program.shape(of: x)
        let out = instr.shape
        let (k, d, pad) = (a.kernel, a.dilation, a.padding)
        let inPerGroup = xs.c / a.groups
        let taps = inPerGroup * k * k
        let planeSize = geometry.rows * geometry.pitch
        let base = self.plan.temps[v]!.offset
        let name = names.value(v)
        let padded = "\(name)_padded"
        let wide = "\(name)_wide"
        var nest = Nest()
        let n = nest.loop("n", out.n)
        // Zero the border (and the slack), copy the interior: the taps then need no bounds at all.
        var body: [Stmt] = [
            .loop(variable: "t", extent: geometry.paddedSize, body: [.line("\(padded)[t] = 0.0f;")]),
            .loop(variable: "i", extent: xs.c, body: [.loop(variable: "y", extent: xs.h, body: [
                .line("float *dst = \(padded) + (i * \(geometry.rows) + y + \(pad)) * \(geometry.pitch) + \(pad);"),
                .loop(variable: "c", extent: xs.w, body: [.line("dst[c] = \(element(x, n: n.index, c: "i", h: "y", w: "c"));")]),
            ])]),
        ]
        let group = a.groups == 1 ? "0" : "o / \(out.c / a.groups) * \(inPerGroup)"
        let bias = { (o: String) in a.bias.map { " + \(names.param($0))[\(o)]" } ?? "" }
        // The valid columns of channel o's wide buffer `buffer`, plus the bias, to the output.
        let copyOut = { (o: String, buffer: String) -> Stmt in
            .loop(variable: "y", extent: out.h, body: [.loop(variable: "c", extent: out.w, body: [
                .line("\(self.element(v, n: n.index, c: o, h: "y", w: "c")) = \(buffer)[y * \(geometry.pitch) + c]\(bias(o));")
            ])])
        }
        let tcc: [Stmt] = [
            .loop(variable: "o", extent: out.c, body: [
                .loop(variable: "t", extent: geometry.wideLength, body: [.line("\(wide)[t] = 0.0f;")]),
                .line("const float *w_o = \(names.param(a.weight)) + o * \(taps);"),
                .line("const float *group = \(padded) + (\(group)) * \(planeSize);"),
                .loop(variable: "i", extent: inPerGroup, body: [.loop(variable: "kh", extent: k, body: [.loop(variable: "kw", extent: k, body: [
                    .line("attn_row_axpy(\(wide), group + (i * \(geometry.rows) + kh * \(d)) * \(geometry.pitch) + kw * \(d), w_o[(i * \(k) + kh) * \(k) + kw], \(geometry.wideLength));")
                ])])]),
                copyOut("o", wide),
            ])
        ]
        let channels = Array("abcd".prefix(geometry.block)).map(String.init)
        // acc_<ch>0 and acc_<ch>1: the tile's two vectors of pixels of channel o + <ch>.
        var tileBody: [Stmt] = channels.map { .line("attn_v acc_\($0)0 = {0}, acc_\($0)1 = {0};") }
        tileBody.append(.loop(variable: "j", extent: taps, body: [
            .line("const float *s = group + \(name)_taps[j] + t0;"),
            .line("attn_v x0, x1;"),
            .line("__builtin_memcpy(&x0, s, sizeof x0);"),
            .line("__builtin_memcpy(&x1, s + ATTN_V_LANES, sizeof x1);"),
        ] + channels.map { .line("acc_\($0)0 += w_\($0)_row[j] * x0; acc_\($0)1 += w_\($0)_row[j] * x1;") }))
        tileBody += channels.enumerated().flatMap { i, ch -> [Stmt] in
            [
                .line("__builtin_memcpy(\(wide) + \(i * geometry.tiledLength) + t0, &acc_\(ch)0, sizeof acc_\(ch)0);"),
                .line("__builtin_memcpy(\(wide) + \(i * geometry.tiledLength) + t0 + ATTN_V_LANES, &acc_\(ch)1, sizeof acc_\(ch)1);"),
            ]
        }
        let compiled: [Stmt] = [
            // The helper only the other branch calls must not be an unused function here.
            .line("(void)attn_row_axpy;"),
            .stepped(variable: "o", extent: out.c, step: "\(geometry.block)", body: [
                .line("const float *group = \(padded) + (\(group)) * \(planeSize);")
            ] + channels.enumerated().map { i, ch in
                .line("const float *w_\(ch)_row = \(names.param(a.weight)) + (o + \(i)) * \(taps);")
            } + [
                .stepped(variable: "t0", extent: geometry.tiledLength, step: "2 * ATTN_V_LANES", body: tileBody)
            ] + channels.indices.map { i in copyOut(i == 0 ? "o" : "o + \(i)", i == 0 ? wide : "(\(wide) + \(i * geometry.tiledLength))") })
        ]
        // gcc and clang on 64-bit hosts: the register-tiled form in their vector extension; tcc
        // (no vector types) and everything else, an MCU included: one axpy per tap.
        body.append(.line(HostBranch.condition))
        // 16-lane vectors with AVX-512 (tiles of 32 pixels), else 8 (16 pixels).
        body.append(.line("#if defined(__AVX512F__)"))
        body.append(.line("#define ATTN_V_LANES 16"))
        body.append(.line("#else"))
        body.append(.line("#define ATTN_V_LANES 8"))
        body.append(.line("#endif"))
        body.append(.line("typedef float attn_v __attribute__((vector_size(4 * ATTN_V_LANES)));"))
        // Offsets of every tap (input channel of the group, kh, kw) from the group's first plane.
        var offsets: [Int] = []
        for i in 0..<inPerGroup { for kh in 0..<k { for kw in 0..<k { offsets.append(i * planeSize + kh * d * geometry.pitch + kw * d) } } }
        body.append(.line("static const int \(name)_taps[\(taps)] = {\(offsets.map(String.init).joined(separator: ", "))};"))
        body.append(contentsOf: compiled)
        body.append(.line("#else"))
        body.append(contentsOf: tcc)
        body.append(.line("#endif"))
        nest.pre[nest.innermost].append(contentsOf: body)
        p.block("") { p in
            p.line("float *\(padded) = scratch + \(base); /* [\(xs.c), \(geometry.rows), \(geometry.pitch)] + \(WideConv.tile) */")
            p.line("float *\(wide) = scratch + \(base + geometry.paddedSize); /* \(geometry.block) × \(geometry.tiledLength) */")
            nest.print(into: &p)
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
        let first = a.groups == 1 ? "" : " + \(o.index) / \(out.c / a.groups) * \(inPerGroup)"
        let pixel = "\(pointer(x)) + \(index(x, n: n.index))\(t.index == "0" ? "" : " + \(scaled(t.index, axisStride(x, along: .hw)))")"
        let dst = "\(pointer(v))[\(index(v, n: n.index, c: o.index))\(t.index == "0" ? "" : " + \(scaled(t.index, axisStride(v, along: .hw)))")]"
        nest.pre[nest.innermost].append(
            .line("\(dst) = attn_row_dot(\(names.param(a.weight)) + \(scaled(o.index, inPerGroup)), \(pixel)\(first), \(inPerGroup))\(start);"))
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
        let xBase = n.index == "0" ? pointer(x) : "\(pointer(x)) + \(n.index) * \(xLayout.nStride)"
        let row = outIndex(out, outLayout, n.index, o.index, h.index, "0")
        nest.pre[h.depth].append(contentsOf: tapRange("kh", h.index, extent: xs.h, k: k, d: d, pad: pad))
        let body: [Stmt] = [
            .line("float *out_row = \(pointer(v)) + \(row);"),
            .loop(variable: "w", extent: out.w, body: [.line("out_row[w] = \(start);")]),
            .loop(variable: "i", extent: xs.c / a.groups, body: [
                .line("const float *x_plane = \(xBase) + \(inputChannel(a, out, o.index, xs.c / a.groups)) * \(xLayout.cStride);"),
                .line("const float *w_plane = \(wt) + (\(o.index) * \(xs.c / a.groups) + i) * \(k * k);"),
                .range(variable: "kh", from: "kh0", to: "kh1", body: [
                    .line("const float *x_row = x_plane + (\(h.index) + kh * \(d) - \(pad)) * \(xs.w);"),
                    .loop(variable: "kw", extent: k, body: [
                        // Output columns whose tap falls inside the input row.
                        .line("const int lo = kw * \(d) < \(pad) ? \(pad) - kw * \(d) : 0;"),
                        .line("const int hi_ = \(xs.w + pad) - kw * \(d);"),
                        .line("const int hi = hi_ < \(out.w) ? hi_ : \(out.w);"),
                        .line("if (hi > lo) attn_row_axpy(out_row + lo, x_row + lo + kw * \(d) - \(pad), w_plane[kh * \(k) + kw], hi - lo);"),
                    ]),
                ]),
            ]),
        ]
        nest.pre[nest.innermost].append(contentsOf: body)
        print(nest, into: &p)
    }

    /// The input channel that the group-local index `i` of output channel `o`'s group reads.
    private func inputChannel(_ a: Conv2dAttrs, _ out: Shape, _ o: String, _ inPerGroup: Int) -> String {
        guard a.groups > 1 else { return "i" }
        return "(\(o) / \(out.c / a.groups) * \(inPerGroup) + i)"
    }

    /// `t0`/`t1`: the taps t in [0, k) with `0 <= pos + t·d - pad < extent`.
    private func tapRange(_ t: String, _ pos: String, extent: Int, k: Int, d: Int, pad: Int) -> [Stmt] {
        // Lowest tap: ceil((pad - pos) / d) when positive. Highest: floor((extent-1+pad-pos)/d),
        // guarded before dividing since C division truncates toward zero.
        let low = "\(pos) < \(pad) ? (\(pad) - \(pos) + \(d - 1)) / \(d) : 0"
        let span = "\(extent - 1 + pad) - \(pos)"
        let high = "\(span) < 0 ? 0 : (\(span)) / \(d) + 1"
        return [
            .line("const int \(t)0 = \(low);"),
            .line("const int \(t)1_ = \(high);"),
            .line("const int \(t)1 = \(t)1_ < \(k) ? \(t)1_ : \(k);"),
        ]
    }

    /// Start of sample n's channels in a stored vector.
    private func vectorRow(_ x: ValueID, _ n: (index: String, depth: Int)) -> String {
        let layout = plan.layouts[x]!
        return n.index == "0" ? pointer(x) : "(\(pointer(x)) + \(n.index) * \(layout.nStride))"
    }

    private func vectorIndex(_ v: ValueID, _ n: (index: String, depth: Int), _ c: String) -> String {
        let layout = plan.layouts[v]!
        return n.index == "0" ? c : "\(n.index) * \(layout.nStride) + \(c)"
    }

    private func outIndex(_ s: Shape, _ l: Layout, _ n: String, _ c: String, _ h: String, _ w: String) -> String {
        var terms: [String] = []
        if n != "0" { terms.append("\(n) * \(l.nStride)") }
        if c != "0" { terms.append("\(c) * \(l.cStride)") }
        if h != "0" { terms.append("\(h) * \(s.w * l.hwStride)") }
        if w != "0" { terms.append(l.hwStride == 1 ? w : "\(w) * \(l.hwStride)") }
        return terms.isEmpty ? "0" : terms.joined(separator: " + ")
    }

    private func print(_ nest: Nest, into p: inout CPrinter) {
        if nest.pre[0].isEmpty && nest.post[0].isEmpty {
            nest.print(into: &p)
        } else {
            p.block("") { p in nest.print(into: &p) }
        }
    }
}
