#!/usr/bin/env bash
# Resident memory over many JIT compile-and-free cycles: each cycle generates C for one of eight
# SE/ECA/CBAM/custom specs, compiles it with libtcc outside the cache, runs it once and frees it.
# Runs the probe of Tests/HardeningTests/JITLoadTests.swift alone in its own process (after 200
# warm-up cycles) and prints RSS before, after and the growth; the same for libtcc's error paths.
#
#   scripts/hardening/jit-rss.sh [CYCLES]      # default 10000
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cycles=${1:-10000}
scratch=${SCRATCH_PATH:-$root/.build}
cd "$root"
[ -f /usr/include/libtcc.h ] && ls /usr/lib/*/libtcc.a >/dev/null 2>&1 || scripts/install-deps.sh
swift build --build-tests --scratch-path "$scratch" >&2
bin="$(swift build --show-bin-path --scratch-path "$scratch")/attn-genPackageTests.xctest"

probe() {  # probe TEST ENV...
    local test=$1; shift
    env ATTN_PROBE=1 "$@" "$bin" --testing-library swift-testing --filter "HardeningTests.JITProbes/$test" \
        | grep '^PROBE' | sed 's/^PROBE //'
}
line=$(probe compileAndFreeCycles ATTN_JIT_CYCLES="$cycles")
echo "JIT compile-and-free: $line"
line=$(probe tccErrorPaths ATTN_TCC_ERROR_CYCLES=$((cycles / 10)))
echo "tcc error paths (12 refusals a round): $line"
