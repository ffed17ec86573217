/* Bare-metal check harness for one generated block, run under QEMU (mps2-an386) with newlib's
 * rdimon semihosting. It fills the input from a seeded SplitMix64 stream (the same numbers as
 * `Program.randomInput(seed:)` in Swift), runs <name>_forward once with the weights baked into
 * <name>.c, and prints every output float as its IEEE-754 bits in hex, so the host compares exact
 * values, not decimal renderings.
 *
 * Configured on the command line (see Tests/EmbeddedTests and the README's "Embedded" section):
 *   -DATTN_HEADER='"se_layer1.h"'   the block's header
 *   -DATTN_NAME=se_layer1           the C prefix (the spec's name)
 *   -DATTN_MACRO=SE_LAYER1          the upper-cased prefix of the header's macros
 *   -DATTN_SEED=12                  seed of the input stream (default 1)
 *   -DATTN_CALLS=2                  call <name>_forward this many times (default 1): the
 *                                   difference of two counts is one call's cost
 *   -DATTN_CONST_PARAMS=tbl         the weights are `const float tbl[]` from another file
 *                                   (a kernel generated without --weights)
 *   -DATTN_IN_PLACE=1               run with output == input (only when the header's
 *                                   NAME_OUTPUT_MAY_ALIAS_INPUT says the kernel allows it)
 *   -DATTN_SELFTEST=1               also call <name>_selftest(input, output, scratch) and print
 *                                   its status (0 = pass)
 *   -DATTN_EXPF_PROBE=1             with -DATTN_SOURCE='"se_layer1.c"': print attn_expf over a
 *                                   sweep of inputs instead (the .c is included, so a static
 *                                   attn_expf is reachable)
 *
 * Output, one item per line:
 *   ATTN-OUTPUT <count>   then <count> lines of 8 hex digits   then ATTN-END
 *   ATTN-SELFTEST <status>
 *   ATTN-DONE
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#if defined(ATTN_SOURCE)
#include ATTN_SOURCE
#else
#include ATTN_HEADER
#endif

#ifndef ATTN_SEED
#define ATTN_SEED 1
#endif

#define ATTN_CAT_(a, b) a##b
#define ATTN_CAT(a, b) ATTN_CAT_(a, b)
#define FORWARD ATTN_CAT(ATTN_NAME, _forward)
#define PARAMS_ARRAY ATTN_CAT(ATTN_NAME, _params)
#define SELFTEST ATTN_CAT(ATTN_NAME, _selftest)
#define INPUT_SIZE ATTN_CAT(ATTN_MACRO, _INPUT_SIZE)
#define OUTPUT_SIZE ATTN_CAT(ATTN_MACRO, _OUTPUT_SIZE)
#define PARAMS_SIZE ATTN_CAT(ATTN_MACRO, _PARAMS_SIZE)
#define SCRATCH_SIZE ATTN_CAT(ATTN_MACRO, _SCRATCH_SIZE)

/* Buffered hex writer: one semihosting write per 4 KiB instead of one per line. */
static char out_buf[4096];
static size_t out_len;

static void flush_out(void)
{
    if (out_len > 0) {
        fwrite(out_buf, 1, out_len, stdout);
        out_len = 0;
    }
    fflush(stdout);
}

static void put_text(const char *s)
{
    size_t n = strlen(s);
    if (out_len + n > sizeof out_buf) flush_out();
    memcpy(out_buf + out_len, s, n);
    out_len += n;
}

static void put_bits(float v)
{
    static const char digits[] = "0123456789abcdef";
    uint32_t bits;
    memcpy(&bits, &v, sizeof bits);
    if (out_len + 9 > sizeof out_buf) flush_out();
    for (int i = 7; i >= 0; i--) out_buf[out_len++] = digits[(bits >> (4 * i)) & 0xFu];
    out_buf[out_len++] = '\n';
}

static void put_number(const char *label, long value)
{
    char line[64];
    snprintf(line, sizeof line, "%s %ld\n", label, value);
    put_text(line);
}

/* SplitMix64 (Steele, Lea, Flood 2014), as Sources/AttnGen/Harness/SplitMix64.swift. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z;
    rng_state += 0x9E3779B97F4A7C15ull;
    z = rng_state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi): lo + (hi - lo) * u24 / 2^24, evaluated in float like the Swift. */
static float rng_uniform(float lo, float hi)
{
    return lo + (hi - lo) * (float)(rng_next() >> 40) / (float)(1 << 24);
}

#if defined(ATTN_EXPF_PROBE)

/* attn_expf over [-104, 89] in steps whose bits come from the same stream, plus edge values. */
#define PROBE_COUNT 4096
int main(void)
{
    static const float edges[] = {0.0f, -0.0f, 1.0f, -1.0f, 88.7f, 88.8f, -87.3f, -103.9f, -200.0f, 200.0f};
    int count = (int)(sizeof edges / sizeof edges[0]);
    rng_state = ATTN_SEED;
    put_number("ATTN-OUTPUT", (long)(count + PROBE_COUNT));
    for (int i = 0; i < count; i++) put_bits(attn_expf(edges[i]));
    for (int i = 0; i < PROBE_COUNT; i++) put_bits(attn_expf(rng_uniform(-104.0f, 89.0f)));
    put_text("ATTN-END\n");
    put_text("ATTN-DONE\n");
    flush_out();
    return 0;
}

#else

#ifndef ATTN_CALLS
#define ATTN_CALLS 1
#endif

#if defined(ATTN_CONST_PARAMS)
extern const float ATTN_CONST_PARAMS[];
#define PARAMS_POINTER ATTN_CONST_PARAMS
#elif PARAMS_SIZE > 0
#define PARAMS_POINTER PARAMS_ARRAY
#else
#define PARAMS_POINTER NULL
#endif

#if SCRATCH_SIZE > 0
static float scratch[SCRATCH_SIZE];
#define SCRATCH_POINTER scratch
#else
#define SCRATCH_POINTER NULL
#endif

#if defined(ATTN_IN_PLACE) && ATTN_IN_PLACE
/* RAM is one tensor plus scratch: the kernel overwrites its input. */
static float io[INPUT_SIZE > OUTPUT_SIZE ? INPUT_SIZE : OUTPUT_SIZE];
#define INPUT_BUFFER io
#define OUTPUT_BUFFER io
#else
static float input_data[INPUT_SIZE];
static float output_data[OUTPUT_SIZE];
#define INPUT_BUFFER input_data
#define OUTPUT_BUFFER output_data
#endif

int main(void)
{
    rng_state = ATTN_SEED;
    for (long i = 0; i < (long)INPUT_SIZE; i++) INPUT_BUFFER[i] = rng_uniform(-2.0f, 2.0f);

    for (int call = 0; call < ATTN_CALLS; call++) FORWARD(INPUT_BUFFER, OUTPUT_BUFFER, PARAMS_POINTER, SCRATCH_POINTER);

    put_number("ATTN-OUTPUT", (long)OUTPUT_SIZE);
    for (long i = 0; i < (long)OUTPUT_SIZE; i++) put_bits(OUTPUT_BUFFER[i]);
    put_text("ATTN-END\n");
#if defined(ATTN_SELFTEST) && ATTN_SELFTEST
    /* Overwrites the buffers with its own input: runs after the output was printed. */
    put_number("ATTN-SELFTEST", (long)SELFTEST(INPUT_BUFFER, OUTPUT_BUFFER, SCRATCH_POINTER));
#endif
    put_text("ATTN-DONE\n");
    flush_out();
    return 0;
}

#endif
