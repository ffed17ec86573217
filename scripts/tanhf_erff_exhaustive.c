#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
/* Exhaustive accuracy check of the generated attn_tanhf and attn_erff against double tanh and erf,
 * over every finite float (both signs, subnormals included). The error is counted in units of the
 * float spacing at the exact result's magnitude (2^-149 at the bottom), so a result just below 1
 * is measured in the spacing below 1. Run: gcc -O2 -ffp-contract=off -I Templates/c
 * scripts/tanhf_erff_exhaustive.c -o /tmp/tanhf_erff -lm && /tmp/tanhf_erff  (a few minutes).
 * Last run, over all 4,278,190,080 finite floats: attn_tanhf within 1.343 ulp (8.0e-8 absolute, at
 * x = 0.632552028), attn_erff within 1.663 ulp (9.9e-8 absolute, at x = 0.884786189); no NaN or
 * sign error; NaN stays NaN and ±inf gives ±1. */
#include "expf.c.tmpl"
#include "tanhf.c.tmpl"
#include "erff.c.tmpl"

static double spacing(double y)
{
    const double a = fabs(y);
    if (a < 0x1p-126) return 0x1p-149;
    return ldexp(1.0, ilogb(a) - 23);
}

struct worst {
    double ulp, abs;
    float at_ulp, at_abs;
    long wrong_sign_or_nan;
};

static void track(struct worst *w, float x, float got, double exact)
{
    if (got != got || (exact > 0 && got < 0) || (exact < 0 && got > 0)) w->wrong_sign_or_nan++;
    const double e = fabs((double)got - exact);
    const double u = e / spacing(exact);
    if (u > w->ulp) { w->ulp = u; w->at_ulp = x; }
    if (e > w->abs) { w->abs = e; w->at_abs = x; }
}

int main(void)
{
    struct worst t = {0}, e = {0};
    long n = 0;
    for (uint64_t b = 0; b <= 0xFFFFFFFFull; b++) {
        const uint32_t u = (uint32_t)b;
        float x;
        memcpy(&x, &u, 4);
        if (!isfinite(x)) continue;
        track(&t, x, attn_tanhf(x), tanh((double)x));
        track(&e, x, attn_erff(x), erf((double)x));
        n++;
    }
    printf("checked %ld finite floats\n", n);
    printf("attn_tanhf: worst %.3f ulp at x=%.9g, worst abs %.3g at x=%.9g, %ld NaN or sign errors\n", t.ulp, t.at_ulp, t.abs, t.at_abs, t.wrong_sign_or_nan);
    printf("attn_erff:  worst %.3f ulp at x=%.9g, worst abs %.3g at x=%.9g, %ld NaN or sign errors\n", e.ulp, e.at_ulp, e.abs, e.at_abs, e.wrong_sign_or_nan);
    const float nan = NAN;
    printf("NaN in: tanh %s, erf %s; +-inf: tanh %g %g, erf %g %g\n", attn_tanhf(nan) != attn_tanhf(nan) ? "NaN" : "not NaN",
        attn_erff(nan) != attn_erff(nan) ? "NaN" : "not NaN", attn_tanhf(INFINITY), attn_tanhf(-INFINITY), attn_erff(INFINITY), attn_erff(-INFINITY));
    return 0;
}
