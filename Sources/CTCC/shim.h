// Umbrella header for the CTCC system module: exposes libtcc's C API to Swift.
// libtcc.h comes from Debian package libtcc-dev; tcc's runtime (libtcc1.a and
// its own headers) comes from package tcc and is found by AttnJIT at run time.
#ifndef ATTN_CTCC_SHIM_H
#define ATTN_CTCC_SHIM_H
#include <libtcc.h>

/* The tcc forms this CPU runs: 2 (AVX2 and FMA, the OS saving the ymm registers) or 1 (SSE),
 * by the same test as attn_tcc_isa (Templates/c/tcc_isa.tcc.c.tmpl), so the JIT compiles its
 * helper modules for the forms they will run. 1 off x86-64 (tcc has no asm forms there). */
static inline int attn_host_tcc_isa(void)
{
#if defined(__x86_64__)
    unsigned a, b, c, d, lo, hi;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if ((c & 0x18001000u) != 0x18001000u) return 1;
    __asm__ volatile(".byte 0x0f,0x01,0xd0" : "=a"(lo), "=d"(hi) : "c"(0)); /* xgetbv */
    if ((lo & 6u) != 6u) return 1;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    return (b >> 5) & 1u ? 2 : 1;
#else
    return 1;
#endif
}
#endif
