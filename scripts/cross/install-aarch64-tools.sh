#!/usr/bin/env bash
# Installs the AArch64 cross compiler and user-mode emulator from Debian's packages when they are
# missing: gcc-aarch64-linux-gnu (with binutils: aarch64-linux-gnu-objdump), libc6-dev-arm64-cross
# (a static glibc to link against) and qemu-user (qemu-aarch64). Idempotent and quiet: prints
# nothing and touches nothing when all are present. Needs root or sudo otherwise.
set -euo pipefail

missing=()
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || missing+=(gcc-aarch64-linux-gnu)
[ -f /usr/aarch64-linux-gnu/lib/libc.a ] || missing+=(libc6-dev-arm64-cross)
command -v qemu-aarch64 >/dev/null 2>&1 || missing+=(qemu-user)
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
exec "$(dirname "$0")/../apt-install.sh" "${missing[@]}"
