// timm's ecam (ECA with `use_mlp`) reads the pooled vector as one sequence: a 1×1 conv from one
// channel to rd (a scale and shift per hidden sequence), an activation, then a k-tap conv from
// rd sequences back to one. Stored, the hidden layer is rd times the pooled vector (2 MB at
// C = 2048), written by the first conv, rewritten by the activation and read by the second:
// three trips through the cache hierarchy for values that are one multiply-add away from the
// pooled vector. On gcc and clang hosts the second conv computes them itself, one hidden row of a
// tile of positions at a time in L1, its k taps applied at once. The tile is long: each hidden
// row also spends a weight load, the edge zeroing and the k − 1 positions of overlap, which at a
// few dozen positions cost as much as the taps. Every activation takes this form: the
// exponentials cost the same libm calls as in the stored pass, and the round trips go. tcc and
// MCUs keep the three passes (their scalar code would spend far more on the taps than the trips
// cost, where the stored form runs packed row helpers).

import AttnIR
import AttnPlan

/// A hidden layer of sequences between two convs that the second computes itself on hosts.
struct SequenceMLP {
    /// The pooled sequence, [N, 1, L, 1].
    let input: ValueID
    /// The 1×1 conv from one channel to rd: [N, rd, L, 1].
    let hidden: ValueID
    let first: Conv2dAttrs
    /// The activation of the hidden layer.
    let act: ValueID
    let unary: UnaryOp
    /// The k×k conv from rd channels to one, whose middle column reads the one-pixel-wide plane.
    let output: ValueID
    let second: Conv2dAttrs
    /// The kernel column that reads the input column.
    let column: Int

    /// Positions of one tile where the compiler has AVX: its accumulators, inputs and hidden row
    /// take 3 KiB of the stack, in L1.
    static let wideTile = 256
    /// Positions of one tile on SSE-only x86-64 and other hosts, where the long tile measured
    /// slower than half of it (fewer registers for gcc's unrolled tap sums).
    static let tile = 128
    /// Positions per block of `attn_seq_relu`'s interval search (its template's constant).
    static let tableTile = 256
    /// Stack the relu form's tables may take; larger hidden layers keep the tiles.
    static let maxTableBytes = 64 * 1024

    /// Bytes of `attn_seq_relu`'s buffers for `rd` hidden rows: breakpoints and their copy,
    /// two ints each, a slope and an intercept per interval (and a zero row) and tap, and a block's
    /// intervals, inputs and sums.
    func tableBytes(rd: Int) -> Int {
        let k = second.kernel
        let tile = SequenceMLP.tableTile
        return rd * (8 + 8 + 4 + 4) + 2 * (rd + 2) * k * 8 + (tile + k - 1) * 4 + (tile + k + 15) * 8 + tile * 8
    }
}

extension CEmitter {
    /// The chain whose second conv is `v`, when the hosts compute its hidden layer inside it.
    func sequenceMLP(endingAt v: ValueID) -> SequenceMLP? {
        guard options.fusion == .fused, case .conv2d(let second) = program.instrs[v - 1].op else { return nil }
        let act = program.instrs[v - 1].operands[0]
        guard act > 0, case .unary(let unary) = program.instrs[act - 1].op, hiddenActivation(unary, "z") != nil else { return nil }
        let hidden = program.instrs[act - 1].operands[0]
        guard hidden > 0, case .conv2d(let first) = program.instrs[hidden - 1].op else { return nil }
        let input = program.instrs[hidden - 1].operands[0]
        guard input > 0 else { return nil }
        let (xs, hs, out) = (program.shape(of: input), program.shape(of: hidden), program.instrs[v - 1].shape)
        // One sequence in and out, one pixel wide, contiguous along the sequence.
        guard xs.c == 1, xs.w == 1, hs.w == 1, out.c == 1, out.w == 1, out.h == xs.h, hs.h == xs.h else { return nil }
        guard first.kernel == 1, first.padding == 0, first.stride == 1, first.groups == 1 else { return nil }
        // Dense taps down the column, the middle column of the kernel reading the sequence.
        let (k, pad) = (second.kernel, second.padding)
        guard second.stride == 1, second.groups == 1, second.dilation == 1, pad < k, 2 * pad == k - 1 else { return nil }
        guard let xl = plan.layouts[input], let ol = plan.layouts[v], xl.hwStride == 1, ol.hwStride == 1, xl.nStride == xs.h || xs.n == 1
        else { return nil }
        // The hidden values are read by nothing else, and each is its own pass.
        guard plan.layouts[hidden] != nil, plan.layouts[act] != nil, !plan.views.contains(hidden), !plan.views.contains(act),
            program.output != hidden, program.output != act
        else { return nil }
        var readers = [hidden: 0, act: 0]
        for instr in program.instrs { for u in Set(instr.operands) where readers[u] != nil { readers[u]! += 1 } }
        guard readers[hidden] == 1, readers[act] == 1 else { return nil }
        return SequenceMLP(input: input, hidden: hidden, first: first, act: act, unary: unary, output: v, second: second, column: pad)
    }

    /// Every chain the hosts compute in one pass, under its hidden layer, activation and output.
    func sequenceMLPs() -> [ValueID: SequenceMLP] {
        var chains: [ValueID: SequenceMLP] = [:]
        for (i, instr) in program.instrs.enumerated() {
            guard case .conv2d(let a) = instr.op, a.outChannels == 1, let m = sequenceMLP(endingAt: i + 1) else { continue }
            for v in [m.hidden, m.act, m.output] { chains[v] = m }
        }
        return chains
    }

    /// The activation as an expression of the float `z`, in the stored pass's form (NestValues);
    /// nil for the square root, whose form depends on the target's libm.
    func hiddenActivation(_ u: UnaryOp, _ z: String) -> String? {
        // relu6(z + 3) / 6 in PyTorch's order; a NaN stays NaN.
        let relu6Shifted = "((\(z) + 3.0f) < 0.0f ? 0.0f : ((\(z) + 3.0f) > 6.0f ? 6.0f : (\(z) + 3.0f)))"
        switch u {
        case .relu: return "\(z) < 0.0f ? 0.0f : \(z)"
        case .relu6: return "\(z) < 0.0f ? 0.0f : (\(z) > 6.0f ? 6.0f : \(z))"
        case .leakyRelu(let slope): return "\(z) < 0.0f ? \(cFloat(slope)) * \(z) : \(z)"
        case .sigmoid: return "1.0f / (1.0f + \(names.expf)(-\(z)))"
        case .silu: return "\(z) / (1.0f + \(names.expf)(-\(z)))"
        case .hardSigmoid: return "\(relu6Shifted) / 6.0f"
        case .hardSwish: return "\(z) * \(relu6Shifted) / 6.0f"
        case .gelu: return "0.5f * \(z) * (1.0f + \(names.erff)(\(z) * 0.707106781f))"
        case .geluTanh: return "0.5f * \(z) * (1.0f + \(names.tanhf)(0.797884561f * (\(z) + 0.044715f * \(z) * \(z) * \(z))))"
        case .tanh: return "\(names.tanhf)(\(z))"
        case .mulScalar(let k): return "\(z) * \(cFloat(k))"
        case .addScalar(let k): return k < 0 ? "\(z) - \(cFloat(-k))" : "\(z) + \(cFloat(k))"
        case .sqrt: return nil
        }
    }

    /// gcc and clang hosts: the second conv, computing the hidden layer a tile of positions at a
    /// time; tcc and MCUs: `other`, the stored form.
    func emitSequenceMLP(_ m: SequenceMLP, other: (inout CPrinter) -> Void, into p: inout CPrinter) {
        p.split([.vectorHost], { p in emitFusedSequenceMLP(m, into: &p) }, else: other)
    }

    /// The hidden layer's own pass: nothing on hosts (the second conv computes it), `other` elsewhere.
    func emitAbsorbed(by m: SequenceMLP, other: (inout CPrinter) -> Void, into p: inout CPrinter) {
        p.split([.vectorHost], { p in p.line("/* gcc and clang hosts: inside \(names.value(m.output))'s tiles */") }, else: other)
    }

    private func emitFusedSequenceMLP(_ m: SequenceMLP, into p: inout CPrinter) {
        let out = program.instrs[m.output - 1].shape
        let length = out.h
        let rd = program.shape(of: m.hidden).c
        let k = m.second.kernel
        let pad = m.second.padding
        let act = hiddenActivation(m.unary, "z")!
        let w1 = names.param(m.first.weight)
        let b1 = m.first.bias.map { "\(names.param($0))[r]" } ?? "0.0f"
        let w2 = names.param(m.second.weight)
        let b2 = m.second.bias.map { "\(names.param($0))[0]" } ?? "0.0f"
        var nest = Nest()
        let n = nest.loop("n", out.n)
        let taps = (0..<k).map { j in "w_\(j) * hid[t\(j == 0 ? "" : " + \(j)")]" }.joined(separator: " + ")
        // The output may take the pooled sequences' place (the plan frees them after the first
        // conv), so they move first to the activation's storage, which nothing else uses here and
        // which the output never shares (the second conv reads it while writing the output).
        let moved = [
            "(void)\(pointer(m.hidden));",
            "__builtin_memmove(\(pointer(m.act)), \(address(m.input)), \(out.n * length) * sizeof(float));",
        ]
        func tiles(_ tile: Int) -> Stmt {
            let span = tile + k - 1
            return .stepped(variable: "c0", extent: length, step: CExpr(tile), body: [
                .line("float acc[\(tile)], x[\(span)], hid[\(span)];"),
                // The tile reads positions c0 - pad + t, t < lo and t >= hi outside the sequence:
                // their inputs are zero and their hidden values the conv's zero padding.
                .line("const int lo = c0 < \(pad) ? \(pad) - c0 : 0;"),
                .line("const int hi = \(length + pad) - c0 < \(span) ? \(length + pad) - c0 : \(span);"),
                .loop(variable: "t", extent: span, body: [.line("x[t] = t >= lo && t < hi ? seq[c0 - \(pad) + t] : 0.0f;")]),
                .loop(variable: "t", extent: tile, body: [.line("acc[t] = \(b2);")]),
                .loop(variable: "r", extent: rd, body: [
                    .line("const float a = \(w1)[r], b = \(b1);"),
                    .loop(variable: "t", extent: span, body: [.line("const float z = a * x[t] + b;"), .line("hid[t] = \(act);")]),
                    .line("for (int t = 0; t < lo; t++) hid[t] = 0.0f;"),
                    .line("for (int t = hi; t < \(span); t++) hid[t] = 0.0f;"),
                    .line("const float *w_r = \(w2) + r * \(k * k) + \(m.column);"),
                    .line("const float " + (0..<k).map { j in "w_\(j) = w_r[\(j * k)]" }.joined(separator: ", ") + ";"),
                    .loop(variable: "t", extent: tile, body: [.line("acc[t] += \(taps);")]),
                ]),
                .line("const int len = \(length) - c0 < \(tile) ? \(length) - c0 : \(tile);"),
                .line("for (int t = 0; t < len; t++) out_seq[c0 + t] = acc[t];"),
            ])
        }
        var body: [Stmt] = [
            .line("const float *seq = \(plus(pointer(m.act), n.index * length));"),
            .line("float *out_seq = \(address(m.output, n: n.index));"),
        ]
        // A relu hidden layer makes each tap a piecewise-linear function of one input: its
        // intervals' tables (`attn_seq_relu`) replace rd multiply-adds per tap and position.
        let tables = m.unary == .relu && m.tableBytes(rd: rd) <= SequenceMLP.maxTableBytes
        if tables {
            let b1p = m.first.bias.map { names.param($0) } ?? "(const float *)0"
            body.append(.line(
                "attn_seq_relu(seq, out_seq, \(length), \(pad), \(w1), \(b1p), \(w2) + \(m.column), \(k * k), \(k), \(rd), \(k), \(b2), "
                    + "theta, key2, order, idx2, slope, icept, iv, du, acc);"))
        } else {
            body += [.line("#if defined(__AVX__)"), tiles(SequenceMLP.wideTile), .line("#else"), tiles(SequenceMLP.tile), .line("#endif")]
        }
        nest.pre[nest.innermost].append(contentsOf: body)
        p.block("") { p in
            for line in moved { p.line(line) }
            if tables {
                p.use(.seqRelu)
                let tile = SequenceMLP.tableTile
                p.line("double theta[\(rd)], key2[\(rd)], slope[\((rd + 2) * k)], icept[\((rd + 2) * k)];")
                p.line("double du[\(tile + k + 15)], acc[\(tile)];")
                p.line("int order[\(rd)], idx2[\(rd)], iv[\(tile + k - 1)];")
            }
            nest.print(into: &p)
        }
    }
}
