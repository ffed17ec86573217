/* Device harness for the int8 kernels of one .tflite model (attn-gen import-tflite), on QEMU's
 * Cortex-M boards: every committed sample through the model's kernels in order, the outputs
 * compared with TFLite Micro's, then each kernel's instructions and stack depth for one call.
 *
 * The model's data and kernel table come from a generated header named by -DINT8_CASE (written by
 * the test or by attn-bench): INT8_KERNELS, INT8_SAMPLES, INT8_SIZE, INT8_WORK_BYTES (the largest
 * scratch or arena), int8_inputs, int8_expected, int8_kernels. Instructions are counted as in
 * count.c: SysTick under `-icount`, with a calibration loop in the same run. The stack depth is
 * what a call writes below the caller's stack pointer: the region is painted first (no interrupt
 * runs then; SysTick is off between measurements) and scanned after.
 *
 * Prints one line over semihosting:
 *   ATTN-INT8 <differing> <compared> <empty ticks> <loop ticks at 2^16> <loop ticks at 2^17>
 *             then per kernel: <ticks> <stack bytes>
 */
#include <stdint.h>
#include INT8_CASE

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define PAINT 0xA5u
#define PAINT_BYTES 8192u

static volatile uint32_t wraps;

void SysTick_Handler(void) { wraps++; }

#include "semihost.h"

static void start(void)
{
    SYST_CSR = 0u;
    SYST_RVR = 0x00FFFFFFu;
    SYST_CVR = 0u;
    wraps = 0u;
    SYST_CSR = 7u;
}

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

static int8_t buffer_a[INT8_SIZE];
static int8_t buffer_b[INT8_SIZE];
static uint64_t work[(INT8_WORK_BYTES + 7) / 8 + 1];

/* Runs kernels [0, k) on sample 0, leaving kernel k's input in buffer_a. */
static void input_of(int k)
{
    int i, j;
    for (i = 0; i < INT8_SIZE; i++) buffer_a[i] = int8_inputs[i];
    for (j = 0; j < k; j++) {
        int8_kernels[j](buffer_a, buffer_b, work);
        for (i = 0; i < INT8_SIZE; i++) buffer_a[i] = buffer_b[i];
    }
}

/* Bytes one call of kernel k writes below this function's stack pointer. */
__attribute__((noinline)) static uint32_t stack_depth(int k)
{
    uint8_t *sp, *p;
    __asm volatile("mov %0, sp" : "=r"(sp));
    for (p = sp - PAINT_BYTES; p < sp; p++) *(volatile uint8_t *)p = PAINT;
    int8_kernels[k](buffer_a, buffer_b, work);
    for (p = sp - PAINT_BYTES; p < sp && *(volatile uint8_t *)p == PAINT; p++) {
    }
    return (uint32_t)(sp - p);
}

int main(void)
{
    uint64_t differing = 0, empty, loop16, loop17;
    char line[64 + 48 * INT8_KERNELS] = "ATTN-INT8", *p = line + 9;
    int s, k, i;

    for (s = 0; s < INT8_SAMPLES; s++) {
        for (i = 0; i < INT8_SIZE; i++) buffer_a[i] = int8_inputs[s * INT8_SIZE + i];
        for (k = 0; k < INT8_KERNELS; k++) {
            int8_kernels[k](buffer_a, buffer_b, work);
            for (i = 0; i < INT8_SIZE; i++) buffer_a[i] = buffer_b[i];
        }
        for (i = 0; i < INT8_SIZE; i++) differing += buffer_a[i] != int8_expected[s * INT8_SIZE + i];
    }
    start();
    empty = stop();
    start();
    spin(1u << 16);
    loop16 = stop();
    start();
    spin(1u << 17);
    loop17 = stop();
    p = put_u64(p, differing);
    p = put_u64(p, (uint64_t)INT8_SAMPLES * INT8_SIZE);
    p = put_u64(p, empty);
    p = put_u64(p, loop16);
    p = put_u64(p, loop17);
    for (k = 0; k < INT8_KERNELS; k++) {
        uint64_t ticks;
        input_of(k);
        start();
        int8_kernels[k](buffer_a, buffer_b, work);
        ticks = stop();
        input_of(k);
        p = put_u64(p, ticks);
        p = put_u64(p, stack_depth(k));
    }
    *p++ = '\n';
    *p = '\0';
    sh_write0(line);
    return 0;
}
