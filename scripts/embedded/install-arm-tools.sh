#!/usr/bin/env bash
# Installs the Cortex-M toolchain and emulator from Debian's packages when they are missing:
# gcc-arm-none-eabi (brings binutils-arm-none-eabi: arm-none-eabi-size, -nm), libnewlib-arm-none-eabi
# (newlib, rdimon semihosting specs) and qemu-system-arm (mps2-an386 board). Idempotent and quiet:
# prints nothing and touches nothing when all three are present. Needs root or sudo otherwise.
set -euo pipefail

missing=()
command -v arm-none-eabi-gcc >/dev/null 2>&1 || missing+=(gcc-arm-none-eabi)
command -v arm-none-eabi-size >/dev/null 2>&1 || missing+=(binutils-arm-none-eabi)
# newlib's rdimon.specs lives under the toolchain's lib folder; look for it without running gcc.
ls /usr/lib/arm-none-eabi/newlib/rdimon.specs /usr/lib/arm-none-eabi/lib/rdimon.specs >/dev/null 2>&1 \
    || missing+=(libnewlib-arm-none-eabi)
command -v qemu-system-arm >/dev/null 2>&1 || missing+=(qemu-system-arm)
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
exec "$(dirname "$0")/../apt-install.sh" "${missing[@]}"
