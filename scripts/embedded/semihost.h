/* What the bare-metal check and count programs share: writing a line to the host through ARM
 * semihosting (SYS_WRITE0, `bkpt 0xab`; QEMU's -semihosting prints it) and formatting a number
 * into that line without printf, which would pull newlib's stdio into the count. */
#ifndef ATTN_SEMIHOST_H
#define ATTN_SEMIHOST_H

#include <stdint.h>

static void sh_write0(const char *s)
{
    register uint32_t r0 __asm("r0") = 0x04u;
    register const char *r1 __asm("r1") = s;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

/* Writes " <v>" in decimal at p and returns the end. */
static char *put_u64(char *p, uint64_t v)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v != 0u);
    *p++ = ' ';
    while (n > 0) *p++ = digits[--n];
    return p;
}

#endif
