#!/usr/bin/env bash
# The emitted C under clang -fsanitize=address,undefined: every Generated/ example, every
# PyTorch fixture (weights baked into the .c) and a seeded random grid of SE/ECA/CBAM blocks are
# generated with attn-gen, compiled together with scripts/hardening/sanitize_harness.c and run
# on random, ±0, denormal, ±1e30, NaN, ±Inf and mixed inputs. Any sanitizer report, written
# input, scratch read before written, or non-finite output where the math is finite fails.
#
#   scripts/sanitize.sh                 # examples + fixtures + 150 random blocks
#   scripts/sanitize.sh --quick         # examples + 2 fixtures + 12 random blocks (what CI runs)
#   scripts/sanitize.sh --grid N --seed S
#
# ATTN_GEN=path/to/attn-gen skips building it (the tests pass theirs); CC=clang of your choice.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
grid=150
seed=1
fixtures=all
while [ $# -gt 0 ]; do
    case $1 in
        --quick) grid=12; fixtures=2 ;;
        --grid) grid=$2; shift ;;
        --seed) seed=$2; shift ;;
        *) echo "usage: $0 [--quick] [--grid N] [--seed S]" >&2; exit 2 ;;
    esac
    shift
done
work=${ATTN_SANITIZE_DIR:-$root/.build-hardening/sanitize-$$}
rm -rf "$work"
mkdir -p "$work/gen"
trap 'rm -rf "$work"' EXIT

# A clang whose ASan and UBSan runtimes link: the Swift toolchain's has them; otherwise Debian's
# clang with libclang-rt-dev is installed.
sanitizers_work() {
    printf 'int main(void) { return 0; }\n' >"$work/probe.c"
    "$1" -fsanitize=address,undefined "$work/probe.c" -o "$work/probe" >/dev/null 2>&1
}
cc=${CC:-}
if [ -z "$cc" ] || ! sanitizers_work "$cc"; then
    cc=""
    for candidate in "$(command -v clang || true)" /opt/swift/usr/bin/clang /usr/bin/clang; do
        if [ -n "$candidate" ] && [ -x "$candidate" ] && sanitizers_work "$candidate"; then cc=$candidate; break; fi
    done
fi
if [ -z "$cc" ]; then
    echo "no clang with sanitizer runtimes; installing clang and libclang-rt-dev (Debian)" >&2
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq clang >/dev/null
    major=$(clang --version | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
    $sudo apt-get install -y -qq "libclang-rt-$major-dev" >/dev/null 2>&1 || true
    cc=$(command -v clang)
    sanitizers_work "$cc" || { echo "clang still cannot link -fsanitize=address,undefined" >&2; exit 2; }
fi
linker=()
"$cc" -fuse-ld=lld -fsanitize=address,undefined "$work/probe.c" -o "$work/probe" >/dev/null 2>&1 && linker=(-fuse-ld=lld)

attn_gen=${ATTN_GEN:-}
if [ -z "$attn_gen" ]; then
    (cd "$root" && swift build --product attn-gen >&2)
    attn_gen="$(cd "$root" && swift build --show-bin-path)/attn-gen"
fi

# 1. The examples, and the fixtures with their weights baked in.
specs=("$root"/Generated/*.spec.json)
fixture_specs=("$root"/Tests/Fixtures/*/spec.json)
[ "$fixtures" = all ] || fixture_specs=("${fixture_specs[@]:0:$fixtures}")
for spec in "${specs[@]}" "${fixture_specs[@]}"; do
    "$attn_gen" "$spec" -o "$work/gen" >/dev/null
done

# 2. A seeded grid of SE, ECA and CBAM blocks: C 1-96, H and W 1-24, N 1-3, every option.
awk -v n="$grid" -v seed="$seed" 'BEGIN {
    srand(seed); printf "{\"blocks\": [\n"
    for (i = 0; i < n; i++) {
        kind = int(rand() * 3); c = 1 + int(rand() * 96); h = 1 + int(rand() * 24); w = 1 + int(rand() * 24)
        nn = 1 + int(rand() * 3)
        extra = ""
        if (kind == 0 || kind == 2) {
            if (rand() < 0.5) extra = extra sprintf(", \"reduced_channels\": %d", 1 + int(rand() * c))
            else { r = 1; while (r * 2 <= c && rand() < 0.6) r *= 2; extra = extra sprintf(", \"reduction\": %d", r) }
            extra = extra sprintf(", \"bias\": %s", rand() < 0.5 ? "true" : "false")
        }
        if (kind == 1 && rand() < 0.7) extra = extra sprintf(", \"kernel_size\": %d", 1 + 2 * int(rand() * 5))
        if (kind == 2) extra = extra sprintf(", \"spatial_kernel_size\": %d", 1 + 2 * int(rand() * 4))
        name = (kind == 0 ? "se" : (kind == 1 ? "eca" : "cbam"))
        printf "%s{\"name\": \"g%03d_%s\", \"kind\": \"%s\", \"input\": {\"n\": %d, \"c\": %d, \"h\": %d, \"w\": %d}%s}\n", \
            (i ? "," : ""), i, name, name, nn, c, h, w, extra
    }
    printf "]}\n"
}' >"$work/grid.json"
[ "$grid" -gt 0 ] && "$attn_gen" "$work/grid.json" -o "$work/gen" >/dev/null

# 3. The table of blocks the harness walks.
{
    echo '#include <stddef.h>'
    for h in "$work"/gen/*.h; do echo "#include \"$(basename "$h")\""; done
    echo 'typedef void (*forward_fn)(const float *, float *, const float *, float *);'
    echo 'struct block { const char *name; forward_fn forward; long input, output, params, scratch; const float *baked; int products; };'
    echo 'const struct block blocks[] = {'
    for h in "$work"/gen/*.h; do
        name=$(basename "$h" .h)
        up=$(tr '[:lower:]' '[:upper:]' <<<"$name")
        baked=NULL
        grep -q "extern const float ${name}_params" "$h" && baked="${name}_params"
        # Products of two input-dependent tensors (attention scores, Gram matrices) overflow
        # float at |x| = 1e30, in PyTorch as here: those blocks owe finite output only below that.
        products=0
        grep -qE '= (matmul|attention)\(' "$work/gen/$name.c" && products=1
        echo "    {\"$name\", ${name}_forward, ${up}_INPUT_SIZE, ${up}_OUTPUT_SIZE, ${up}_PARAMS_SIZE, ${up}_SCRATCH_SIZE, $baked, $products},"
    done
    echo '};'
    echo 'const int block_count = sizeof blocks / sizeof blocks[0];'
} >"$work/blocks.c"

# 4. One program: the harness, the table and every generated .c, all instrumented.
flags=(-std=c99 -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,float-cast-overflow
    -fno-sanitize-recover=all -I "$work/gen" -Wall -Wno-unused-function)
"$cc" "${flags[@]}" "${linker[@]}" "$root/scripts/hardening/sanitize_harness.c" "$work/blocks.c" "$work"/gen/*.c \
    -lm -o "$work/run" 2> >(grep -v "Cannot export local symbol" >&2)
count=$(ls "$work"/gen/*.c | wc -l)
echo "compiled $count generated kernels with $cc -fsanitize=address,undefined" >&2
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$work/run"
