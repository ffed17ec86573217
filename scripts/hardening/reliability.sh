#!/usr/bin/env bash
# Every figure of README's "Reliability" section, in one go (about 35 minutes on 2 cores):
#   1. the hardening tests of `make test` (bad input at the CLI, output handling, seeded fuzzing,
#      JIT under load, special values, a short sanitizer run, valgrind);
#   2. libFuzzer: 300,000 spec inputs + 700,000 safetensors inputs (scripts/fuzz/run.sh);
#   3. the emitted C under ASan+UBSan: examples, fixtures and 150 random blocks (scripts/sanitize.sh);
#   4. 10,000 JIT compile-and-free cycles and 1,000 rounds of libtcc errors, resident memory
#      (scripts/hardening/jit-rss.sh);
#   5. libtcc's error paths under valgrind, 200 rounds (scripts/hardening/tcc-valgrind.sh).
# Prints the figures; exits 1 if any step failed (its full output is in .build-hardening/).
#
#   scripts/hardening/reliability.sh            SCRATCH_PATH=dir to build elsewhere than .build
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
scratch=${SCRATCH_PATH:-$root/.build}
logs=$root/.build-hardening
mkdir -p "$logs"
cd "$root"
failed=()

step() {  # step N TITLE PATTERN COMMAND... — runs COMMAND, shows the lines matching PATTERN
    local n=$1 title=$2 pattern=$3; shift 3
    echo "== $n $title" >&2
    if "$@" >"$logs/step-$n.log" 2>&1; then :; else failed+=("$n $title (see $logs/step-$n.log)"); fi
    grep -E "$pattern" "$logs/step-$n.log" || true
}

echo "== building" >&2
swift build --build-tests --scratch-path "$scratch" >"$logs/build.log" 2>&1 || { cat "$logs/build.log"; exit 1; }
bin=$(swift build --show-bin-path --scratch-path "$scratch")

step 1 "hardening tests" "^(JIT|tcc|seeded|sanitize:)|Test run with" \
    swift test --skip-build --scratch-path "$scratch" --filter HardeningTests
step 2 "libFuzzer, 1,000,000 inputs" "^fuzz-|^total time" scripts/fuzz/run.sh 300000 700000
step 3 "emitted C under ASan+UBSan" "^(sanitize:|FAIL)|ERROR|runtime error" \
    env ATTN_GEN="$bin/attn-gen" scripts/sanitize.sh
step 4 "resident memory" "^(JIT|tcc)" env SCRATCH_PATH="$scratch" scripts/hardening/jit-rss.sh 10000
step 5 "valgrind" "tcc error paths|valgrind:" scripts/hardening/tcc-valgrind.sh 200

if [ ${#failed[@]} -gt 0 ]; then
    printf 'FAILED: %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "all reliability checks passed" >&2
