// The unfused baseline for "fused CBAM faster than a 4-pass schedule": CBAM as a framework runs
// it, one full-tensor pass per step, with the gated tensor x1 materialised.
//   1. read x: channel mean and max → shared MLP → channel gate g
//   2. read x, write x1 = x · g
//   3. read x1: mean and max over C → the 2-plane map; k×k conv, BN, sigmoid → spatial gate s
//   4. read x1, write y = x1 · s
// 4 reads + 2 writes of the tensor against the fused kernel's 3 + 1. Written in the emitter's
// plain style (literal extents, scalar loops) and compiled by the same compiler and flags, so the
// comparison measures the schedule, not the code style. Same parameter array as the generated
// kernel (offsets from its program).

import AttnGen

enum FourPassCBAM {
    /// Floats of scratch: x1 for the whole batch, then the small per-sample vectors and planes.
    static func scratchCount(_ s: Shape, rd: Int) -> Int { s.count + 3 * s.c + 2 * rd + 3 * s.plane }

    static func source(for program: Program) -> String {
        let s = program.input
        let offsets = Dictionary(uniqueKeysWithValues: zip(program.params.map(\.name), program.paramOffsets))
        let dims = Dictionary(uniqueKeysWithValues: program.params.map { ($0.name, $0.dims) })
        precondition(
            dims["channel.fc1.bias"] == nil, "the 4-pass baseline is written for CBAM without MLP bias (timm's)")
        let rd = dims["channel.fc1.weight"]![0]
        let k = dims["spatial.conv.conv.weight"]!.last!
        let defines = [
            "N \(s.n)", "C \(s.c)", "H \(s.h)", "W \(s.w)", "RD \(rd)", "K \(k)",
            "OFF_FC1 \(offsets["channel.fc1.weight"]!)", "OFF_FC2 \(offsets["channel.fc2.weight"]!)",
            "OFF_CONV \(offsets["spatial.conv.conv.weight"]!)", "OFF_BN_SCALE \(offsets["spatial.conv.bn.scale"]!)",
            "OFF_BN_SHIFT \(offsets["spatial.conv.bn.shift"]!)",
        ].map { "#define \($0)" }.joined(separator: "\n")
        return "#include <math.h>\n" + defines + "\n" + body
    }

    private static let body = """
        #define HW (H * W)
        #define PAD (K / 2)

        static float sigmoid(float v) { return 1.0f / (1.0f + expf(-v)); }

        void cbam4_forward(const float *input, float *output, const float *params, float *scratch)
        {
            const float *w1 = params + OFF_FC1, *w2 = params + OFF_FC2, *wc = params + OFF_CONV;
            const float bn_scale = params[OFF_BN_SCALE], bn_shift = params[OFF_BN_SHIFT];
            float *x1_all = scratch;
            float *avg = scratch + (long)N * C * HW, *mx = avg + C, *gate = mx + C;
            float *h_avg = gate + C, *h_max = h_avg + RD;
            float *mean_c = h_max + RD, *max_c = mean_c + HW, *s = max_c + HW;
            for (int n = 0; n < N; n++) {
                const float *x = input + (long)n * C * HW;
                float *x1 = x1_all + (long)n * C * HW;
                float *y = output + (long)n * C * HW;

                /* pass 1: channel pools over x; shared MLP; channel gate */
                for (int c = 0; c < C; c++) {
                    float sum = 0.0f, m = -INFINITY;
                    for (int i = 0; i < HW; i++) {
                        sum += x[c * HW + i];
                        m = x[c * HW + i] > m ? x[c * HW + i] : m;
                    }
                    avg[c] = sum * (1.0f / HW);
                    mx[c] = m;
                }
                for (int o = 0; o < RD; o++) {
                    float a = 0.0f, b = 0.0f;
                    for (int i = 0; i < C; i++) {
                        a += w1[o * C + i] * avg[i];
                        b += w1[o * C + i] * mx[i];
                    }
                    h_avg[o] = a > 0.0f ? a : 0.0f;
                    h_max[o] = b > 0.0f ? b : 0.0f;
                }
                for (int c = 0; c < C; c++) {
                    float a = 0.0f;
                    for (int o = 0; o < RD; o++) a += w2[c * RD + o] * (h_avg[o] + h_max[o]);
                    gate[c] = sigmoid(a);
                }

                /* pass 2: x1 = x * gate, materialised */
                for (int c = 0; c < C; c++)
                    for (int i = 0; i < HW; i++) x1[c * HW + i] = x[c * HW + i] * gate[c];

                /* pass 3: mean and max over C of x1 (timm's plane order: mean, max) */
                for (int i = 0; i < HW; i++) {
                    mean_c[i] = 0.0f;
                    max_c[i] = -INFINITY;
                }
                for (int c = 0; c < C; c++)
                    for (int i = 0; i < HW; i++) {
                        const float v = x1[c * HW + i];
                        mean_c[i] += v;
                        max_c[i] = v > max_c[i] ? v : max_c[i];
                    }
                for (int i = 0; i < HW; i++) mean_c[i] *= 1.0f / C;

                /* k x k conv on [mean, max], folded BN, sigmoid: the spatial gate */
                for (int h = 0; h < H; h++)
                    for (int w = 0; w < W; w++) {
                        float acc = 0.0f;
                        for (int p = 0; p < 2; p++) {
                            const float *plane = p == 0 ? mean_c : max_c;
                            for (int kh = 0; kh < K; kh++) {
                                const int yy = h + kh - PAD;
                                if (yy < 0 || yy >= H) continue;
                                for (int kw = 0; kw < K; kw++) {
                                    const int xx = w + kw - PAD;
                                    if (xx < 0 || xx >= W) continue;
                                    acc += wc[(p * K + kh) * K + kw] * plane[yy * W + xx];
                                }
                            }
                        }
                        s[h * W + w] = sigmoid(bn_scale * acc + bn_shift);
                    }

                /* pass 4: y = x1 * s */
                for (int c = 0; c < C; c++)
                    for (int i = 0; i < HW; i++) y[c * HW + i] = x1[c * HW + i] * s[i];
            }
        }

        """
}
