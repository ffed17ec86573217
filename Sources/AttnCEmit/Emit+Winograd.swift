// The Winograd form of 3×3 stride-1 convolutions for gcc and clang on 64-bit hosts (see
// AttnPlan's `WinogradConv`): filters and input tiles transformed with additions in the vector
// extension, the 16 products per tile as GEMMs on the shared GEMM helper, and the inverse
// transform straight into the output rows.

import AttnIR
import AttnPlan

extension CEmitter {
    /// Per call the filters into U [group][ξ][out][in]; per sample the zero-padded copy of the
    /// input with even and odd columns apart; per group and block of tile rows the transformed
    /// tiles V [ξ][in][tile], 16 GEMMs M_ξ = U_ξ·V_ξ, and the outputs from M.
    func emitWinogradConv(_ v: ValueID, _ a: Conv2dAttrs, _ w: WinogradConv, into p: inout CPrinter) {
        let instr = program.instrs[v - 1]
        let x = instr.operands[0]
        let xs = program.shape(of: x)
        let out = instr.shape
        let pad = a.padding
        let (cg, kg, pitch, half) = (w.inPerGroup, w.outPerGroup, w.blockPitch, w.half)
        let rowPitch = 2 * half
        let planeSize = w.paddedRows * rowPitch
        let name = names.value(v)
        let (padded, filters, inputs, products) = ("\(name)_padded", "\(name)_u", "\(name)_v", "\(name)_m")
        let base = self.plan.temps[v]!.offset
        let bias = a.bias.map { " + \(names.param($0))[o]" } ?? ""
        p.block("") { p in
            p.use(.gemmNN)
            p.line("/* Winograd F(2x2, 3x3): \(w.tileRows)x\(w.tileCols) tiles in blocks of \(w.blockRows) tile rows. */")
            p.line("float *\(padded) = \(plus("scratch", CExpr(base))); /* [\(xs.c), \(w.paddedRows), 2, \(half)] + \(WinogradConv.slack * 2) */")
            p.line("float *\(filters) = \(padded) + \(w.paddedSize); /* [\(a.groups), 16, \(kg) x \(cg) + slack] */")
            p.line("float *\(inputs) = \(filters) + \(w.filterSize); /* [16, \(cg), \(pitch)] */")
            p.line("float *\(products) = \(inputs) + \(w.inputSize); /* [16, \(kg), \(pitch)] */")
            for line in [
                "#if defined(__AVX512F__)", "#define ATTN_W_LANES 16", "#elif defined(__AVX__)", "#define ATTN_W_LANES 8", "#else",
                "#define ATTN_W_LANES 4", "#endif",
            ] {
                p.line(line)
            }
            p.line("typedef float attn_w __attribute__((vector_size(4 * ATTN_W_LANES)));")
            emitWinogradFilters(a, w, filters: filters, into: &p)
            p.block("for (int n = 0; n < \(out.n); n++)") { p in
                // Zero border (and slack), then the input's pixels: column x + pad to half
                // (x + pad) mod 2, at (x + pad) / 2.
                p.line("for (int t = 0; t < \(w.paddedSize); t++) \(padded)[t] = 0.0f;")
                p.block("for (int i = 0; i < \(xs.c); i++)") { p in
                    p.block("for (int y = 0; y < \(xs.h); y++)") { p in
                        p.line("float *dst = \(padded) + (i * \(w.paddedRows) + y + \(pad)) * \(rowPitch);")
                        for b in 0..<2 {
                            let x0 = ((b - pad) % 2 + 2) % 2
                            guard x0 < xs.w else { continue }
                            let count = (xs.w - x0 + 1) / 2
                            let source = element(x, n: "n", c: "i", h: "y", w: CExpr.variable("c") * 2 + x0)
                            p.line("for (int c = 0; c < \(count); c++) dst[\(b * half + (x0 + pad) / 2) + c] = \(source);")
                        }
                    }
                }
                p.block("for (int g = 0; g < \(a.groups); g++)") { p in
                    p.block("for (int r0 = 0; r0 < \(w.tileRows); r0 += \(w.blockRows))") { p in
                        p.line("const int rb = \(w.tileRows) - r0 < \(w.blockRows) ? \(w.tileRows) - r0 : \(w.blockRows);")
                        emitWinogradInputs(w, padded: padded, inputs: inputs, planeSize: planeSize, into: &p)
                        p.line(
                            "for (int xi = 0; xi < 16; xi++) attn_gemm_nn(\(products) + xi * \(kg * pitch), \(pitch), \(filters) + (g * 16 + xi) * \(w.filterPitch), \(cg), 1, "
                                + "\(inputs) + xi * \(cg * pitch), \(pitch), \(kg), rb * \(w.tileCols), \(cg), (const float *)0, 1.0f);")
                        emitWinogradOutputs(v, w, products: products, bias: bias, into: &p)
                    }
                }
            }
            p.line("#undef ATTN_W_LANES")
        }
    }

    /// U_ξ = G·g·Gᵀ, G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1], for a vector of filters at a time (a
    /// group's filters are consecutive: out channel, then in channel): the filters' nine taps
    /// gathered into vectors, their columns, then their rows. Filters past the group's repeat its
    /// last one into the row's slack.
    private func emitWinogradFilters(_ a: Conv2dAttrs, _ w: WinogradConv, filters: String, into p: inout CPrinter) {
        let count = w.outPerGroup * w.inPerGroup
        p.block("for (int g = 0; g < \(a.groups); g++)") { p in
            p.block("for (int f = 0; f < \(count); f += ATTN_W_LANES)") { p in
                p.line("float s[9][ATTN_W_LANES];")
                p.block("for (int l = 0; l < ATTN_W_LANES; l++)") { p in
                    p.line("const float *src = \(names.param(a.weight)) + (g * \(count) + (f + l < \(count) ? f + l : \(count - 1))) * 9;")
                    p.line("for (int j = 0; j < 9; j++) s[j][l] = src[j];")
                }
                p.line("attn_w " + (0..<9).map { "g\($0)" }.joined(separator: ", ") + ";")
                for j in 0..<9 { p.line("__builtin_memcpy(&g\(j), s[\(j)], sizeof g\(j));") }
                p.line("float *u = \(filters) + g * \(16 * w.filterPitch) + f;")
                p.line("const attn_w h = {0}, half = h + 0.5f;")
                // Rows of G·g: tr<r><c>, r of four, c of three.
                for c in 0..<3 {
                    p.line("const attn_w t0\(c) = g\(c), t1\(c) = half * (g\(c) + g\(3 + c) + g\(6 + c)), t2\(c) = half * (g\(c) - g\(3 + c) + g\(6 + c)), t3\(c) = g\(6 + c);")
                }
                for r in 0..<4 {
                    let values = ["t\(r)0", "half * (t\(r)0 + t\(r)1 + t\(r)2)", "half * (t\(r)0 - t\(r)1 + t\(r)2)", "t\(r)2"]
                    for (c, value) in values.enumerated() {
                        p.line("{ const attn_w v = \(value); __builtin_memcpy(\(plus("u", CExpr((4 * r + c) * w.filterPitch))), &v, sizeof v); }")
                    }
                }
            }
        }
    }

    /// V_ξ = Bᵀ·d·B for every tile of the block and input channel of group g, B = [1 0 0 0; 0 1 −1
    /// 1; −1 1 1 0; 0 0 0 −1]: across a row's tiles in vectors (their last one may run into the next
    /// row's tiles, written after it, or into the slack).
    private func emitWinogradInputs(_ w: WinogradConv, padded: String, inputs: String, planeSize: Int, into p: inout CPrinter) {
        let (cg, pitch, half) = (w.inPerGroup, w.blockPitch, w.half)
        p.block("for (int i = 0; i < \(cg); i++)") { p in
            p.block("for (int r = 0; r < rb; r++)") { p in
                p.line("const float *s = \(padded) + (g * \(cg) + i) * \(planeSize) + (2 * (r0 + r)) * \(2 * half);")
                p.line("float *d = \(inputs) + i * \(pitch) + r * \(w.tileCols);")
                p.block("for (int t = 0; t < \(w.tileCols); t += ATTN_W_LANES)") { p in
                    // Row k of the patch: columns 2t..2t+3 are even[t], odd[t], even[t+1], odd[t+1].
                    p.line("attn_w e0, e1, o0, o1, u[4][4];")
                    p.block("for (int k = 0; k < 4; k++)") { p in
                        p.line("const float *row = s + k * \(2 * half) + t;")
                        p.line("__builtin_memcpy(&e0, row, sizeof e0);")
                        p.line("__builtin_memcpy(&e1, row + 1, sizeof e1);")
                        p.line("__builtin_memcpy(&o0, row + \(half), sizeof o0);")
                        p.line("__builtin_memcpy(&o1, row + \(half + 1), sizeof o1);")
                        p.line("u[k][0] = e0 - e1; u[k][1] = o0 + e1; u[k][2] = e1 - o0; u[k][3] = o0 - o1;")
                    }
                    p.block("for (int j = 0; j < 4; j++)") { p in
                        p.line("attn_w v0 = u[0][j] - u[2][j], v1 = u[1][j] + u[2][j], v2 = u[2][j] - u[1][j], v3 = u[1][j] - u[3][j];")
                        for a in 0..<4 {
                            p.line("__builtin_memcpy(\(plus("d", (CExpr(4 * a) + "j") * (cg * pitch) + "t")), &v\(a), sizeof v\(a));")
                        }
                    }
                }
            }
        }
    }

    /// Y = Aᵀ·M·A, A = [1 0; 1 1; 1 −1; 0 −1], for every tile of the block and output channel of
    /// group g, plus the bias: across a row's tiles in vectors, then each tile's 2×2 outputs to
    /// their two rows (the last row and column only where the output has them).
    private func emitWinogradOutputs(_ v: ValueID, _ w: WinogradConv, products: String, bias: String, into p: inout CPrinter) {
        let out = program.shape(of: v)
        let (kg, pitch) = (w.outPerGroup, w.blockPitch)
        let y: CExpr = "y"
        p.block("for (int k = 0; k < \(kg); k++)") { p in
            p.line("const int o = g * \(kg) + k;")
            p.block("for (int r = 0; r < rb; r++)") { p in
                p.line("const int y = 2 * (r0 + r);")
                p.line("float *y0 = \(address(v, n: "n", c: "o", h: y));")
                p.line("const float *m = \(products) + k * \(pitch) + r * \(w.tileCols);")
                p.block("for (int t = 0; t < \(w.tileCols); t += ATTN_W_LANES)") { p in
                    p.line("attn_w s[4], df[4];")
                    p.block("for (int j = 0; j < 4; j++)") { p in
                        p.line("attn_w m0, m1, m2, m3;")
                        for a in 0..<4 {
                            p.line("__builtin_memcpy(&m\(a), \(plus("m", (CExpr(4 * a) + "j") * (kg * pitch) + "t")), sizeof m\(a));")
                        }
                        p.line("s[j] = m0 + m1 + m2; df[j] = m1 - m2 - m3;")
                    }
                    p.line("float q00[ATTN_W_LANES], q01[ATTN_W_LANES], q10[ATTN_W_LANES], q11[ATTN_W_LANES];")
                    p.line("attn_w y00 = s[0] + s[1] + s[2], y01 = s[1] - s[2] - s[3], y10 = df[0] + df[1] + df[2], y11 = df[1] - df[2] - df[3];")
                    p.line("__builtin_memcpy(q00, &y00, sizeof y00); __builtin_memcpy(q01, &y01, sizeof y01);")
                    p.line("__builtin_memcpy(q10, &y10, sizeof y10); __builtin_memcpy(q11, &y11, sizeof y11);")
                    p.line("const int nt = \(w.tileCols) - t < ATTN_W_LANES ? \(w.tileCols) - t : ATTN_W_LANES;")
                    // The second column and row of the last tiles exist when OW and OH are even.
                    let lastColumn = out.w % 2 == 0 ? "" : "if (2 * (t + q) + 1 < \(out.w)) "
                    let store = { (row: String, even: String, odd: String) in
                        "for (int q = 0; q < nt; q++) { \(row)[2 * (t + q)] = \(even)[q]\(bias); \(lastColumn)\(row)[2 * (t + q) + 1] = \(odd)[q]\(bias); }"
                    }
                    p.line(store("y0", "q00", "q01"))
                    let y1 = "y0 + \(out.w)"
                    if out.h % 2 == 0 {
                        p.block("") { p in
                            p.line("float *y1 = \(y1);")
                            p.line(store("y1", "q10", "q11"))
                        }
                    } else {
                        p.block("if (y + 1 < \(out.h))") { p in
                            p.line("float *y1 = \(y1);")
                            p.line(store("y1", "q10", "q11"))
                        }
                    }
                }
            }
        }
    }
}
