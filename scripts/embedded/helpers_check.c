/* The MCU forms of attn_gemm_nn, attn_gemm_nt and attn_conv_rows (Templates/c) against a
 * double-precision sum of the same terms, on random shapes, strides, biases and scales: built
 * per core, each takes the branch its FPU (or Helium, or none) selects, so run on M0, M4F and M55
 * under QEMU this checks all three forms. Prints `HELPERS-CHECK <cases> <failures>`. Build:
 *   arm-none-eabi-gcc -mthumb <core flags> -std=c99 --specs=rdimon.specs -T <board>.ld \
 *       -I Templates/c scripts/embedded/helpers_check.c scripts/embedded/startup.c */
#include <stdint.h>
#include "gemm_nn.mcu.c.tmpl"
#include "gemm_nt.mcu.c.tmpl"
#include "conv_rows.c.tmpl"

#include "semihost.h"

static uint32_t rng = 12345u;
static uint32_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}
static long pick(long lo, long hi) { return lo + (long)(next() % (uint32_t)(hi - lo + 1)); }
static float uniform(void) { return (float)(next() >> 8) / 8388608.0f - 1.0f; }

#define CAP 800
static float A[CAP], B[CAP], C[CAP], BIAS[16];
static uint32_t cases, failures;

/* |got - want| within 1e-5 of the sum of the terms' magnitudes (plus the bias's). */
static void expect(float got, double want, double scale)
{
    double e = got - want;
    if (e < 0) e = -e;
    if (!(e <= 1e-5 * scale + 1e-30)) failures++;
}

static void fill(float *p, long n)
{
    for (long i = 0; i < n; i++) p[i] = uniform();
}

static void check_nn(void)
{
    const long m = pick(1, 9), n = pick(1, 11), k = pick(0, 9);
    const int trans = (int)pick(0, 1);
    const long ars = trans ? 1 : k + pick(0, 2), acs = trans ? m + pick(0, 2) : 1;
    const long ldb = n + pick(0, 3), ldc = n + pick(0, 2);
    const int biased = (int)pick(0, 1);
    const float alpha = pick(0, 1) ? 1.0f : 0.37f;
    fill(A, CAP);
    fill(B, CAP);
    fill(BIAS, 16);
    for (long i = 0; i < CAP; i++) C[i] = 1e9f;
    attn_gemm_nn(C, ldc, A, ars, acs, B, ldb, m, n, k, biased ? BIAS : 0, alpha);
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) {
            double s = 0, mag = 0;
            for (long p = 0; p < k; p++) {
                const double t = (double)A[i * ars + p * acs] * B[p * ldb + j];
                s += t;
                mag += t < 0 ? -t : t;
            }
            const double add = biased ? BIAS[i] : 0;
            expect(C[i * ldc + j], s * alpha + add, mag + (add < 0 ? -add : add));
        }
        for (long j = n; j < ldc && i + 1 < m; j++) if (C[i * ldc + j] != 1e9f) failures++;
    }
    cases++;
}

static void check_nt(void)
{
    const long m = pick(1, 9), n = pick(1, 9), k = pick(0, 13);
    const long lda = k + pick(0, 2), ldb = k + pick(0, 2), cs = pick(1, 2), ldc = n * cs + pick(0, 2);
    const float alpha = pick(0, 1) ? 1.0f : -0.61f;
    fill(A, CAP);
    fill(B, CAP);
    for (long i = 0; i < CAP; i++) C[i] = 1e9f;
    attn_gemm_nt(C, ldc, cs, A, lda, B, ldb, m, n, k, alpha);
    for (long i = 0; i < m; i++) {
        for (long j = 0; j < n; j++) {
            double s = 0, mag = 0;
            for (long p = 0; p < k; p++) {
                const double t = (double)A[i * lda + p] * B[j * ldb + p];
                s += t;
                mag += t < 0 ? -t : t;
            }
            expect(C[i * ldc + j * cs], s * alpha, mag);
            if (cs == 2 && C[i * ldc + j * cs + 1] != 1e9f) failures++;
        }
    }
    cases++;
}

static void check_conv(void)
{
    const long k = pick(1, 7), d = pick(1, 2), pad = pick(0, (k - 1) * d);
    const long xh = pick(1, 6), xw = pick(1, 11);
    const long ow = xw + 2 * pad - (k - 1) * d, oh = xh + 2 * pad - (k - 1) * d;
    if (ow < 1 || oh < 1) return;
    const long ci = pick(1, 3), m = pick(1, 6);
    const long ldx = xh * xw + pick(0, 2), ldy = oh * ow + pick(0, 2);
    if (ci * ldx > CAP || m * ci * k * k > CAP || m * ldy > CAP) return;
    const int biased = (int)pick(0, 1);
    fill(A, CAP);
    fill(B, CAP);
    fill(BIAS, 16);
    for (long i = 0; i < CAP; i++) C[i] = 1e9f;
    for (long h = 0; h < oh; h++) attn_conv_rows(C + h * ow, ldy, A, B, ldx, xh, xw, m, ci, k, d, pad, h, ow, biased ? BIAS : 0);
    for (long o = 0; o < m; o++) {
        for (long h = 0; h < oh; h++) {
            for (long c = 0; c < ow; c++) {
                const double add = biased ? BIAS[o] : 0;
                double s = add, mag = add < 0 ? -add : add;
                for (long i = 0; i < ci; i++) {
                    for (long kh = 0; kh < k; kh++) {
                        for (long kw = 0; kw < k; kw++) {
                            const long yy = h + kh * d - pad, xx = c + kw * d - pad;
                            if (yy < 0 || yy >= xh || xx < 0 || xx >= xw) continue;
                            const double t = (double)A[((o * ci + i) * k + kh) * k + kw] * B[i * ldx + yy * xw + xx];
                            s += t;
                            mag += t < 0 ? -t : t;
                        }
                    }
                }
                expect(C[o * ldy + h * ow + c], s, mag);
            }
        }
    }
    cases++;
}

int main(void)
{
    for (int t = 0; t < 300; t++) {
        check_nn();
        check_nt();
        check_conv();
    }
    char line[64] = "HELPERS-CHECK", *p = line + 13;
    p = put_u64(p, cases);
    p = put_u64(p, failures);
    *p++ = '\n';
    *p = 0;
    sh_write0(line);
    return 0;
}
