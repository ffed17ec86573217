#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
/* Exhaustive check of attend.c's vector exponential, attn_attend_vexp, against the scalar one it
 * stands in for, over every float the softmax gives it (x <= 0: -0 down to -inf, and every NaN):
 * on libm builds Templates/c/attend_expf.c.tmpl against the host's attn_expf_host, where a
 * signalling NaN comes out quiet (the softmax's x, a difference, is never one); with -DOWN
 * attend_expf_lanes.c.tmpl against attn_expf (without libm), NaN as it came. The bits must agree;
 * also prints the worst error in ulps against double exp where the result is a normal float.
 * Run at the vector widths the kernels use, e.g.
 *   gcc -O3 -march=x86-64-v3 -I Templates/c scripts/attend_expf_exhaustive.c -o /tmp/ae -lm && /tmp/ae
 * (also -DOWN, -march=native, -march=x86-64-v2, clang; under a minute each). */
#if defined(__AVX512F__)
#define ATTN_GEMM_LANES 16
#elif defined(__AVX__)
#define ATTN_GEMM_LANES 8
#else
#define ATTN_GEMM_LANES 4
#endif
typedef float attn_gemm_vec __attribute__((vector_size(4 * ATTN_GEMM_LANES)));
typedef int32_t attn_attend_mask __attribute__((vector_size(4 * ATTN_GEMM_LANES)));
#if defined(OWN)
#include "expf.c.tmpl"
#include "attend_expf_lanes.c.tmpl"
#define REFERENCE attn_expf
#define REFERENCE_NAME "attn_expf"
#else
#include "expf_host.c.tmpl"
#include "attend_expf.c.tmpl"
#define REFERENCE attn_expf_host
#define REFERENCE_NAME "attn_expf_host"
#endif
#define BLOCK 4096
static float x[BLOCK], a[BLOCK], b[BLOCK];
int main(void)
{
    long checked = 0, differ = 0, normal = 0;
    double worst = 0;
    float wx = 0;
    /* Sign bit set (x <= 0 and the negative NaNs), then the positive NaNs. */
    const uint64_t ranges[2][2] = {{0x80000000ull, 0x100000000ull}, {0x7f800001ull, 0x80000000ull}};
    for (int g = 0; g < 2; g++) {
        for (uint64_t b0 = ranges[g][0]; b0 < ranges[g][1]; b0 += BLOCK) {
            const long n = ranges[g][1] - b0 < BLOCK ? (long)(ranges[g][1] - b0) : BLOCK;
            for (long i = 0; i < n; i++) {
                const uint32_t u = (uint32_t)(b0 + (uint64_t)i);
                memcpy(&x[i], &u, sizeof u);
            }
            for (long i = 0; i < BLOCK; i += ATTN_GEMM_LANES) {
                attn_gemm_vec v;
                memcpy(&v, x + i, sizeof v);
                v = attn_attend_vexp(v);
                memcpy(b + i, &v, sizeof v);
            }
            for (long i = 0; i < n; i++) a[i] = REFERENCE(x[i]);
            for (long i = 0; i < n; i++) {
#if !defined(OWN)
                if (x[i] != x[i]) {
                    uint32_t ua, ub;
                    memcpy(&ua, &a[i], sizeof ua);
                    memcpy(&ub, &b[i], sizeof ub);
                    differ += !(b[i] != b[i]) || (ua | 0x400000u) != ub;
                    continue;
                }
#endif
                differ += memcmp(&a[i], &b[i], sizeof a[i]) != 0;
                if (x[i] >= -87.3365479f) {
                    const double e = exp((double)x[i]);
                    const float ef = (float)e;
                    const double err = fabs((double)b[i] - e) / (double)(nextafterf(ef, INFINITY) - ef);
                    if (err > worst) {
                        worst = err;
                        wx = x[i];
                    }
                    normal++;
                }
            }
            checked += n;
        }
    }
    printf("%d lanes: %ld floats, %ld differ from %s; worst %.3f ulp over the %ld in [-87.34, 0] (at x = %.9g)\n",
           ATTN_GEMM_LANES, checked, differ, REFERENCE_NAME, worst, normal, wx);
    return differ != 0;
}
