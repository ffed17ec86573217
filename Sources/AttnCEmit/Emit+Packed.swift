// The packed entry points (`PackedGEMM`): `<name>_forward` and `<name>_forward_packed` over one
// static `<name>_run`, and `<name>_pack`, which makes the packed array once per parameter set.

import AttnIR
import AttnPlan

extension CEmitter {
    /// Floats of `<name>_pack`'s array: the parameters, then the weight rows made ahead, then
    /// the layout they were made in (`<name>_layout`); nil when the file has no packed entry
    /// points.
    var packedSize: Int? {
        packedGEMMs.isEmpty ? nil : program.paramCount + packedGEMMs.map(\.count).reduce(0, +) + 1
    }

    /// `<name>_forward` and `<name>_forward_packed` over `<name>_run`, and `<name>_pack`, which
    /// lays out each GEMM's rows as `attn_gemm_nn_stack` reads them made ahead (`PackedGEMM`).
    /// Plain C for every compiler of the file: it runs once per parameter set.
    func packedEntryPoints(into p: inout CPrinter) {
        let name = program.name
        let m = names.macroPrefix
        p.blank()
        // The layout follows the GEMM the compiler builds from this file; an array packed by
        // another build (another vector width) must not be read as this one's.
        p.line("/* The layout of the weights made ahead that this build's GEMM reads: 2, panels of output channels")
        p.line(" * (attn_gemm_nn_stack_t, 512-bit vectors); 1, each conv's rows in six-row tiles. */")
        p.line("static float \(name)_layout(void)")
        p.block("", closing: nil) { p in
            p.line("#if defined(ATTN_GEMM_LANES) && ATTN_GEMM_LANES == 16")
            p.line("return 2.0f;")
            p.line("#else")
            p.line("return 1.0f;")
            p.line("#endif")
        }
        p.blank()
        p.line("void \(name)_forward(const float *input, float *output, const float *params, float *scratch)")
        p.block("", closing: nil) { p in p.line("\(name)_run(input, output, params, (const float *)0, scratch);") }
        p.blank()
        p.line("void \(name)_forward_packed(const float *input, float *output, const float *packed, float *scratch)")
        p.block("", closing: nil) { p in
            p.line("/* An array packed in another layout is read as the parameters' copy it starts with: \(name)_forward's")
            p.line(" * outputs still, without the weights made ahead. */")
            p.line("const float *made = packed[\(m)_PACKED_SIZE - 1] == \(name)_layout() ? packed + \(m)_PARAMS_SIZE : (const float *)0;")
            p.line("\(name)_run(input, output, packed, made, scratch);")
        }
        p.blank()
        p.line("void \(name)_pack(const float *params, float *packed)")
        p.block("", closing: nil) { p in
            p.line("for (long i = 0; i < \(m)_PARAMS_SIZE; i++) packed[i] = params[i];")
            p.line("const int panels = \(name)_layout() == 2.0f;")
            for gemm in packedGEMMs {
                let convs = gemm.convs.map { names.value($0) }.joined(separator: ", ")
                p.line("/* \(convs): one GEMM's weights, block by block of \(gemmBlockK) k's: with 512-bit vectors panels of \(stackPanelWidth) output")
                p.line(" * channels k-major (attn_gemm_nn_stack_t), else each conv's rows in six-row tiles k-major */")
                p.block("", closing: nil) { p in
                    let rows = gemm.weights.map { "params + \(names.offsetMacro($0))" }.joined(separator: ", ")
                    let count = gemm.convs.count
                    p.line("const float *const w[\(count)] = {\(rows)};")
                    p.line("const long m[\(count)] = {\(gemm.rows.map(String.init).joined(separator: ", "))};")
                    p.line("float *d = \(plus("packed + \(m)_PARAMS_SIZE", CExpr(gemm.offset)));")
                    p.block("for (long k0 = 0; k0 < \(gemm.k); k0 += \(gemmBlockK))", closing: nil) { p in
                        p.line("const long kc = \(gemm.k) - k0 < \(gemmBlockK) ? \(gemm.k) - k0 : \(gemmBlockK);")
                        let panels = [
                            "for (long t0 = 0; panels && t0 < \(gemm.panelRows); t0 += \(stackPanelWidth))", "for (long k = k0; k < k0 + kc; k++)",
                            "for (long t = t0; t < t0 + \(stackPanelWidth); t++)",
                        ]
                        p.blocks(panels) { p in
                            p.line("/* The stack's channel t: row r of conv q, or none (a zero) past the last. */")
                            p.line("int q = 0;")
                            p.line("long r = t;")
                            p.line("while (q < \(count) && r >= m[q]) r -= m[q++];")
                            p.line("*d++ = q < \(count) ? w[q][r * \(gemm.k) + k] : 0.0f;")
                        }
                        let tiles = ["for (int q = 0; !panels && q < \(count); q++)", "for (long i = 0; i < m[q]; i += 6)", "for (long k = k0; k < k0 + kc; k++)"]
                        p.blocks(tiles) { p in
                            // The last tile's missing rows repeat its first (computed, never stored).
                            p.line("for (long r = i; r < i + 6; r++) *d++ = w[q][(r < m[q] ? r : i) * \(gemm.k) + k];")
                        }
                    }
                }
            }
            p.line("packed[\(m)_PACKED_SIZE - 1] = \(name)_layout();")
        }
    }
}
