#!/usr/bin/env bash
# The long fuzzing run: builds the libFuzzer targets (scripts/fuzz/build.sh), writes their seed
# corpora and dictionaries, then runs them side by side and prints the input counts.
#
#   scripts/fuzz/run.sh                 # 300,000 spec + 700,000 weights + 300,000 .pth inputs (2 cores)
#   scripts/fuzz/run.sh 20000 20000 20000   # a short run
#
# Any crash, sanitizer report, property violation (FuzzOracle), leak or input slower than 10 s
# stops that target with a non-zero status and leaves the input as .build-fuzz/crash-* (or
# timeout-*, leak-*); replay it with `.build-fuzz/fuzz-spec FILE` (ATTN_FUZZ_VERBOSE=1 says why).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${ATTN_FUZZ_BUILD:-$root/.build-fuzz}
spec_runs=${1:-300000}
weights_runs=${2:-700000}
pth_runs=${3:-300000}

"$root/scripts/fuzz/build.sh"
rm -f "$out"/crash-* "$out"/timeout-* "$out"/leak-* "$out"/oom-* 2>/dev/null || true
cd "$out"
for target in spec weights pth; do
    # Fresh seeds each run; the corpus the fuzzer grew is kept between runs.
    ASAN_OPTIONS=detect_leaks=0 ATTN_FUZZ_SEEDS="$out/corpus-$target" "./fuzz-$target" >/dev/null 2>&1
done

run() {  # run TARGET RUNS MAX_LEN
    "./fuzz-$1" -runs="$2" -max_len="$3" -dict="$1.dict" -timeout=10 -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="$out/" "corpus-$1" >"$out/fuzz-$1.log" 2>&1
}
start=$SECONDS
run spec "$spec_runs" 4096 &
spec_pid=$!
run weights "$weights_runs" 8192 &
weights_pid=$!
run pth "$pth_runs" 8192 &
pth_pid=$!
declare -A result=([spec]="no crash" [weights]="no crash" [pth]="no crash")
status=0
wait "$spec_pid" || { status=1; result[spec]="FAILED"; }
wait "$weights_pid" || { status=1; result[weights]="FAILED"; }
wait "$pth_pid" || { status=1; result[pth]="FAILED"; }
rm -rf /dev/shm/attn-fuzz-weights-* /dev/shm/attn-fuzz-pth-* 2>/dev/null || true

for target in spec weights pth; do
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "fuzz-$target.log" | grep -o '[0-9]*$' || echo 0)
    cov=$(grep -o 'DONE *cov: [0-9]*' "fuzz-$target.log" | grep -o '[0-9]*$' || echo '?')
    echo "fuzz-$target: $runs inputs, ${result[$target]}, coverage $cov edges (log: $out/fuzz-$target.log)"
done
echo "total time $((SECONDS - start)) s"
exit $status
