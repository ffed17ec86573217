// Umbrella header for the CTCC system module: exposes libtcc's C API to Swift.
// libtcc.h comes from Debian package libtcc-dev; tcc's runtime (libtcc1.a and
// its own headers) comes from package tcc and is found by AttnJIT at run time.
#ifndef ATTN_CTCC_SHIM_H
#define ATTN_CTCC_SHIM_H
#include <libtcc.h>
#endif
