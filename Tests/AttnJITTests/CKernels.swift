/// C sources shared by the AttnJIT tests.
enum CKernels {
    static let add = "int add(int a, int b) { return a + b; }\n"

    /// output[i] = expf(input[i]) * params[0] for i < N (N comes from -DN=…),
    /// with the kernel signature the code generator emits.
    static let expScale = """
        #include <math.h>
        void k(const float *input, float *output, const float *params, float *scratch) {
            (void)scratch;
            for (int i = 0; i < N; i++)
                output[i] = expf(input[i]) * params[0];
        }
        """

    /// A ~100-line kernel in the style of generated attention code (a
    /// squeeze-excitation channel attention followed by CBAM-style spatial
    /// attention), used to time compilation. `prelude` is either
    /// `#include <math.h>` or hand-written prototypes.
    static func attentionBlock(prelude: String) -> String {
        prelude + "\n" + attentionBody
    }

    static let mathPrototypes = """
        float expf(float);
        float fmaxf(float, float);
        float sqrtf(float);
        """

    private static let attentionBody = """
        #define C 16
        #define H 8
        #define W 8
        #define R 4
        #define HW (H * W)

        static float sigmoidf_(float x) { return 1.0f / (1.0f + expf(-x)); }
        static float reluf_(float x) { return fmaxf(x, 0.0f); }

        /* params layout: w1[R*C] b1[R] w2[C*R] b2[C] ws[2*7*7] bs[1] */
        static void channel_pool(const float *in, float *avg, float *mx) {
            for (int c = 0; c < C; c++) {
                float s = 0.0f, m = in[c * HW];
                for (int i = 0; i < HW; i++) {
                    float v = in[c * HW + i];
                    s += v;
                    m = fmaxf(m, v);
                }
                avg[c] = s / (float)HW;
                mx[c] = m;
            }
        }

        static void mlp(const float *x, float *y, const float *w1, const float *b1,
                        const float *w2, const float *b2, float *hidden) {
            for (int r = 0; r < R; r++) {
                float acc = b1[r];
                for (int c = 0; c < C; c++) acc += w1[r * C + c] * x[c];
                hidden[r] = reluf_(acc);
            }
            for (int c = 0; c < C; c++) {
                float acc = b2[c];
                for (int r = 0; r < R; r++) acc += w2[c * R + r] * hidden[r];
                y[c] = acc;
            }
        }

        static void channel_attention(const float *in, float *out, const float *p, float *scratch) {
            const float *w1 = p, *b1 = w1 + R * C, *w2 = b1 + R, *b2 = w2 + C * R;
            float *avg = scratch, *mx = avg + C, *ya = mx + C, *ym = ya + C, *hid = ym + C;
            channel_pool(in, avg, mx);
            mlp(avg, ya, w1, b1, w2, b2, hid);
            mlp(mx, ym, w1, b1, w2, b2, hid);
            for (int c = 0; c < C; c++) {
                float g = sigmoidf_(ya[c] + ym[c]);
                for (int i = 0; i < HW; i++) out[c * HW + i] = in[c * HW + i] * g;
            }
        }

        static void spatial_pool(const float *in, float *avg, float *mx) {
            for (int i = 0; i < HW; i++) {
                float s = 0.0f, m = in[i];
                for (int c = 0; c < C; c++) {
                    float v = in[c * HW + i];
                    s += v;
                    m = fmaxf(m, v);
                }
                avg[i] = s / (float)C;
                mx[i] = m;
            }
        }

        static void spatial_attention(const float *in, float *out, const float *ws,
                                      const float *bs, float *scratch) {
            float *avg = scratch, *mx = avg + HW, *gate = mx + HW;
            spatial_pool(in, avg, mx);
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    float acc = bs[0];
                    for (int ky = 0; ky < 7; ky++) {
                        int iy = y + ky - 3;
                        if (iy < 0 || iy >= H) continue;
                        for (int kx = 0; kx < 7; kx++) {
                            int ix = x + kx - 3;
                            if (ix < 0 || ix >= W) continue;
                            acc += ws[ky * 7 + kx] * avg[iy * W + ix];
                            acc += ws[49 + ky * 7 + kx] * mx[iy * W + ix];
                        }
                    }
                    gate[y * W + x] = sigmoidf_(acc);
                }
            }
            for (int c = 0; c < C; c++)
                for (int i = 0; i < HW; i++) out[c * HW + i] = in[c * HW + i] * gate[i];
        }

        void attention_block(const float *input, float *output, const float *params, float *scratch) {
            const float *ws = params + R * C + R + C * R + C;
            const float *bs = ws + 2 * 7 * 7;
            float *mid = scratch;
            channel_attention(input, mid, params, scratch + C * HW);
            spatial_attention(mid, output, ws, bs, scratch + C * HW);
        }

        float l2norm(const float *v, int n) {
            float s = 0.0f;
            for (int i = 0; i < n; i++) s += v[i] * v[i];
            return sqrtf(s);
        }
        """
}
