#!/usr/bin/env bash
# libtcc's error paths under valgrind: builds scripts/hardening/TCCErrorProbe.swift with the
# AttnJIT sources (the real TCCModule wrapper) into a plain executable, runs it for ROUNDS rounds
# (default 25) under memcheck and fails on any definitely or indirectly lost block, or any
# memory error. (valgrind cannot run the swift-testing binary itself, hence the small program.)
#
#   scripts/hardening/tcc-valgrind.sh [ROUNDS]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${ATTN_HARDENING_BUILD:-$root/.build-hardening}
rounds=${1:-25}
[ -f /usr/include/libtcc.h ] && ls /usr/lib/*/libtcc.a >/dev/null 2>&1 || "$root/scripts/install-deps.sh"
if ! command -v valgrind >/dev/null; then
    echo "installing valgrind (Debian package)" >&2
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq valgrind >/dev/null ||
        { DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq valgrind >/dev/null; }
    command -v valgrind >/dev/null || { echo "valgrind is missing and could not be installed" >&2; exit 2; }
fi
mkdir -p "$out"

probe="$out/tcc-error-probe"
sources=("$root"/Sources/AttnJIT/*.swift "$root/scripts/hardening/TCCErrorProbe.swift")
if [ ! -x "$probe" ] || [ -n "$(find "${sources[@]}" -newer "$probe")" ]; then
    swiftc -swift-version 6 -Onone -g -parse-as-library -module-name TCCProbe -package-name attn_gen -I "$root/Sources/CTCC" \
        -module-cache-path "$out/cache" "${sources[@]}" -ltcc -ldl -o "$probe.tmp-$$"
    mv -f "$probe.tmp-$$" "$probe"  # whole, even with two runs at once
fi

log="$out/tcc-valgrind-$$.log"
status=0
valgrind --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=99 \
    "$probe" "$rounds" >"$log" 2>&1 || status=$?
grep -E "tcc error paths:" "$log" || true
grep -E "definitely lost|indirectly lost|ERROR SUMMARY" "$log" | sed 's/^==[0-9]*== */valgrind: /'
if [ "$status" -ne 0 ]; then
    echo "FAILED (exit $status), full log: $log" >&2
    exit 1
fi
rm -f "$log"
