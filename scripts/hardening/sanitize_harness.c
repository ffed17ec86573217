/* Runs every generated kernel listed in blocks.c (written by scripts/sanitize.sh) under
 * AddressSanitizer and UndefinedBehaviorSanitizer, on inputs of each special class.
 *
 * Every buffer is malloc'd at exactly the size the header gives, so any read or write past one
 * is an ASan report; baked weight tables are globals, which ASan guards too. Before each call the
 * output is filled with NaN (an element never written stays NaN) and the scratch with NaN, then
 * with 1e38 on a second call (a scratch element read before it is written changes the result).
 * After each call: the input is unchanged, the two calls agree bit for bit, and where the math is
 * finite (finite inputs: random, ±0, denormals, ±1e30; ±1e30 excepted for blocks that multiply two
 * input-dependent tensors, whose products overflow float) every output element is finite. Sigmoid of
 * ±1e30 must give 0 or 1, not NaN; max pools skip NaN. Exit status 1 on any failure; sanitizer
 * reports abort the run themselves (-fno-sanitize-recover=all). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FLT_TRUE_MIN is C11; the generated code is C99, so this file is too. */
#define SMALLEST_DENORMAL 1.40129846e-45f

typedef void (*forward_fn)(const float *, float *, const float *, float *);

struct block {
    const char *name;
    forward_fn forward;
    long input, output, params, scratch;
    const float *baked; /* the .c's own weight table, or NULL (then random parameters) */
    int products;       /* multiplies two input-dependent tensors: ±1e30 inputs overflow float */
};

extern const struct block blocks[];
extern const int block_count;

static uint64_t rng = 0x5EEDA77EULL;

static uint64_t next(void) {
    uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static float uniform(float lo, float hi) { return lo + (hi - lo) * (float)(next() >> 40) / 16777216.0f; }

enum { RANDOM, POS_ZERO, NEG_ZERO, DENORMAL, POS_BIG, NEG_BIG, MIXED_BIG, ALL_NAN, POS_INF, NEG_INF, SPECIAL_MIX, CLASSES };
static const char *class_name[CLASSES] = {"random", "+0", "-0", "denormal", "+1e30", "-1e30", "±1e30",
                                          "NaN", "+Inf", "-Inf", "mixed specials"};
static const int finite_math[CLASSES] = {1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0};
/* The big-input classes: (1e30)² is past float's range, so a product of two input-dependent
 * values (an attention score, a Gram matrix entry) is infinite there, as it is in PyTorch. */
static const int big_input[CLASSES] = {0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0};

static float special(void) {
    static const float pool[] = {0.0f, -0.0f, NAN, INFINITY, -INFINITY, SMALLEST_DENORMAL, -SMALLEST_DENORMAL, 1e-40f,
                                 -3e-39f, 1e30f, -1e30f, FLT_MAX, -FLT_MAX, 1.0f, -2.5f};
    return pool[next() % (sizeof pool / sizeof pool[0])];
}

static float value(int cls) {
    switch (cls) {
    case RANDOM: return uniform(-2.0f, 2.0f);
    case POS_ZERO: return 0.0f;
    case NEG_ZERO: return -0.0f;
    case DENORMAL: {
        float d = uniform(1.0f, 8388607.0f) * SMALLEST_DENORMAL; /* below FLT_MIN: subnormal */
        return (next() & 1) ? d : -d;
    }
    case POS_BIG: return 1e30f;
    case NEG_BIG: return -1e30f;
    case MIXED_BIG: return (next() & 1) ? 1e30f : -1e30f;
    case ALL_NAN: return NAN;
    case POS_INF: return INFINITY;
    case NEG_INF: return -INFINITY;
    default: return (next() & 3) ? special() : uniform(-2.0f, 2.0f);
    }
}

static float *alloc(long n) {
    /* malloc(0) may return NULL; keep a real (empty) allocation so ASan still guards it. */
    float *p = malloc(n > 0 ? (size_t)n * sizeof(float) : 1);
    if (!p) {
        fprintf(stderr, "out of memory for %ld floats\n", n);
        exit(2);
    }
    return p;
}

static void fill_const(float *p, long n, float v) {
    for (long i = 0; i < n; i++) p[i] = v;
}

int main(void) {
    int failed = 0;
    long runs = 0;
    for (int b = 0; b < block_count; b++) {
        const struct block *k = &blocks[b];
        float *params = NULL;
        if (!k->baked && k->params > 0) {
            params = alloc(k->params);
            for (long i = 0; i < k->params; i++) params[i] = uniform(-0.5f, 0.5f);
        }
        const float *p = k->baked ? k->baked : params;
        float *x = alloc(k->input), *x0 = alloc(k->input);
        float *y1 = alloc(k->output), *y2 = alloc(k->output);
        float *s = k->scratch > 0 ? alloc(k->scratch) : NULL;
        int block_failed = 0;
        for (int cls = 0; cls < CLASSES; cls++) {
            for (long i = 0; i < k->input; i++) x[i] = value(cls);
            memcpy(x0, x, (size_t)k->input * sizeof(float));
            fill_const(y1, k->output, NAN);
            fill_const(y2, k->output, NAN);
            if (s) fill_const(s, k->scratch, NAN);
            k->forward(x, y1, p, s);
            if (s) fill_const(s, k->scratch, 1e38f);
            k->forward(x, y2, p, s);
            runs += 2;
            const char *why = NULL;
            long at = -1;
            if (memcmp(x, x0, (size_t)k->input * sizeof(float)) != 0) why = "the input was written";
            else if (memcmp(y1, y2, (size_t)k->output * sizeof(float)) != 0) {
                why = "two calls differ: a scratch or output element is read before it is written";
                for (at = 0; at < k->output && !memcmp(&y1[at], &y2[at], sizeof(float)); at++) {}
            } else if (finite_math[cls] && !(k->products && big_input[cls])) {
                for (long i = 0; i < k->output && !why; i++) {
                    if (!isfinite(y1[i])) {
                        why = "non-finite output where the math is finite";
                        at = i;
                    }
                }
            }
            if (why) {
                fprintf(stderr, "FAIL %s, %s inputs: %s", k->name, class_name[cls], why);
                if (at >= 0) fprintf(stderr, " (output[%ld] = %g, then %g)", at, (double)y1[at], (double)y2[at]);
                fprintf(stderr, "\n");
                block_failed = 1;
            }
        }
        printf("%s %s: input %ld, output %ld, params %ld%s, scratch %ld, %d input classes\n", block_failed ? "FAIL" : "ok  ",
               k->name, k->input, k->output, k->params, k->baked ? " (baked)" : "", k->scratch, CLASSES);
        failed |= block_failed;
        free(params);
        free(x);
        free(x0);
        free(y1);
        free(y2);
        free(s);
    }
    printf("sanitize: %d blocks x %d input classes x 2 calls = %ld runs under ASan+UBSan, %s\n", block_count, CLASSES, runs,
           failed ? "FAILURES above" : "no report, finite wherever the math is");
    return failed;
}
