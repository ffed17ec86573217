#!/usr/bin/env bash
# Measures the error of the generator's own expf (Templates/c/expf.c.tmpl, used with
# "libm": false) against e^x computed in double, over every float in its finite, normal output
# range (x in [-87.3365479, 88.7228394]): prints the largest error in ULPs of the float result and
# the largest relative error. Built with the host gcc at -O2 -std=c99 (no FMA contraction), which
# computes the same bits as the Cortex-M build and the JIT (EmbeddedTests checks device = JIT).
# Takes about a minute. Usage: scripts/embedded/expf-error.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
{
    echo '#include <stdint.h>'
    echo '#include <stdio.h>'
    echo '#include <string.h>'
    echo '#include <math.h>'
    cat "$root/Templates/c/expf.c.tmpl"
    cat <<'C'
static float from_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static uint32_t to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
int main(void)
{
    const float lo = -87.3365479f, hi = 88.7228394f;
    double worst_ulp = 0, worst_rel = 0;
    float worst_x = 0, worst_rel_x = 0;
    long count = 0;
    for (int sign = 0; sign < 2; sign++) {
        /* |x| < 89 has bits below 0x42B20000. */
        for (uint32_t u = 0; u < 0x42B20000u; u++) {
            const float x = from_bits(u | (sign ? 0x80000000u : 0));
            if (x < lo || x > hi) continue;
            const double exact = exp((double)x);
            const float y = attn_expf(x);
            const float r = (float)exact;  /* nearest float */
            if (isinf(r)) {  /* e^x rounds to +inf: the right answer is inf */
                if (!isinf(y)) { printf("x = %.9g: %.9g, expected inf\n", (double)x, (double)y); return 1; }
                continue;
            }
            const double ulp = (double)from_bits(to_bits(r) + 1) - (double)r;
            const double e_ulp = fabs((double)y - exact) / ulp;
            const double e_rel = fabs((double)y - exact) / exact;
            if (e_ulp > worst_ulp) { worst_ulp = e_ulp; worst_x = x; }
            if (e_rel > worst_rel) { worst_rel = e_rel; worst_rel_x = x; }
            count++;
        }
    }
    printf("attn_expf over %ld floats in [%.7g, %.7g]: max error %.3f ulp (at x = %.9g), max relative error %.3g (at x = %.9g)\n",
           count, (double)lo, (double)hi, worst_ulp, (double)worst_x, worst_rel, (double)worst_rel_x);
    return 0;
}
C
} > "$tmp/expf_error.c"
gcc -std=c99 -O2 -ffp-contract=off -o "$tmp/expf_error" "$tmp/expf_error.c" -lm
"$tmp/expf_error"
