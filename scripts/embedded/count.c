/* Instruction-count harness for one generated block on QEMU's Cortex-M boards.
 *
 * QEMU run with `-icount shift=S` advances its virtual clock by 2^S ns per guest instruction,
 * so the SysTick counter, clocked by the core clock, counts ticks in a fixed ratio to executed
 * instructions, whatever the host's speed. The ratio depends on the board's clock; it is measured
 * in the same run with a loop of known length (two instructions an iteration), and the cost of
 * the measurement itself (an empty interval) is subtracted. SysTick is 24 bits: its wraps are
 * counted by the interrupt.
 *
 * The input comes from the SplitMix64 stream main.c uses; the parameters from a const table in
 * flash named by -DATTN_CONST_PARAMS (as a device bakes them), or else from the same stream,
 * scaled down, into RAM. Printing goes straight to semihosting
 * (SYS_WRITE0): no stdio, no heap, so the smallest board's RAM holds the block.
 *
 * Configured like main.c: -DATTN_HEADER, -DATTN_NAME, -DATTN_MACRO. Prints one line:
 *   ATTN-COUNT <block ticks> <empty ticks> <loop ticks at 2^16> <loop ticks at 2^17> <non-finite outputs>
 */
#include <stdint.h>
#include ATTN_HEADER

#define ATTN_CAT_(a, b) a##b
#define ATTN_CAT(a, b) ATTN_CAT_(a, b)
#define FORWARD ATTN_CAT(ATTN_NAME, _forward)
#define INPUT_SIZE ATTN_CAT(ATTN_MACRO, _INPUT_SIZE)
#define OUTPUT_SIZE ATTN_CAT(ATTN_MACRO, _OUTPUT_SIZE)
#define PARAMS_SIZE ATTN_CAT(ATTN_MACRO, _PARAMS_SIZE)
#define SCRATCH_SIZE ATTN_CAT(ATTN_MACRO, _SCRATCH_SIZE)
#define MAY_ALIAS ATTN_CAT(ATTN_MACRO, _OUTPUT_MAY_ALIAS_INPUT)

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

static volatile uint32_t wraps;

void SysTick_Handler(void) { wraps++; }

#include "semihost.h"

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

static float rng_uniform(float lo, float hi) { return lo + (hi - lo) * (float)(rng_next() >> 40) / (float)(1 << 24); }

static void start(void)
{
    SYST_CSR = 0u;
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0u;
    wraps = 0u;
    SYST_CSR = 7u; /* core clock, interrupt on wrap, enabled */
}

/* Ticks since `start`, counting down from the reload value: the wraps, plus what the counter
 * moved since the last one (it starts at 0 and reloads on the first tick). */
static uint64_t stop(void)
{
    uint32_t now = SYST_CVR;
    SYST_CSR = 0u;
    return (uint64_t)wraps * 0x01000000u + ((0x01000000u - now) & 0x00FFFFFFu);
}

__attribute__((noinline)) static void spin(uint32_t n)
{
    __asm volatile(".syntax unified\n1: subs %0, %0, #1\n bne 1b\n" : "+r"(n)::"cc");
}

#if PARAMS_SIZE > 0 && defined(ATTN_CONST_PARAMS)
/* Defined in a generated file, in flash like a device's baked weights. */
extern const float ATTN_CONST_PARAMS[PARAMS_SIZE];
#define PARAMS_POINTER ATTN_CONST_PARAMS
#elif PARAMS_SIZE > 0
static float params[PARAMS_SIZE];
#define PARAMS_POINTER params
#else
#define PARAMS_POINTER 0
#endif

#if SCRATCH_SIZE > 0
static float scratch[SCRATCH_SIZE];
#define SCRATCH_POINTER scratch
#else
#define SCRATCH_POINTER 0
#endif

#if MAY_ALIAS
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
    uint64_t block, empty, loop16, loop17;
    long nonfinite = 0;
    char line[160] = "ATTN-COUNT", *p = line + 10;

    rng_state = 1u;
    for (long i = 0; i < (long)INPUT_SIZE; i++) INPUT_BUFFER[i] = rng_uniform(-2.0f, 2.0f);
#if PARAMS_SIZE > 0 && !defined(ATTN_CONST_PARAMS)
    for (long i = 0; i < (long)PARAMS_SIZE; i++) params[i] = rng_uniform(-0.5f, 0.5f);
#endif

    start();
    empty = stop();
    start();
    spin(1u << 16);
    loop16 = stop();
    start();
    spin(1u << 17);
    loop17 = stop();
    start();
    FORWARD(INPUT_BUFFER, OUTPUT_BUFFER, PARAMS_POINTER, SCRATCH_POINTER);
    block = stop();

    for (long i = 0; i < (long)OUTPUT_SIZE; i++) {
        float v = OUTPUT_BUFFER[i];
        if (!(v - v == 0.0f)) nonfinite++;
    }
    p = put_u64(p, block);
    p = put_u64(p, empty);
    p = put_u64(p, loop16);
    p = put_u64(p, loop17);
    p = put_u64(p, (uint64_t)nonfinite);
    *p++ = '\n';
    *p = '\0';
    sh_write0(line);
    return 0;
}
