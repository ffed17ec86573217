#!/usr/bin/env bash
# Builds the three libFuzzer targets, fuzz-spec, fuzz-weights and fuzz-pth, into $ATTN_FUZZ_BUILD
# (default .build-fuzz/). SwiftPM cannot give one target -sanitize=fuzzer, so each package module
# is compiled here with swiftc, instrumented (libFuzzer coverage + AddressSanitizer), in
# dependency order; the entries in scripts/fuzz/ link against them together with the checks
# shared with the test suite (Tests/HardeningTests/Fuzz/). Nothing is stubbed: the full AttnGen
# module is built, libtcc included; only SwiftPM's resource accessor for Templates/ is replaced.
# Rebuilds only the modules whose sources changed.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
out=${ATTN_FUZZ_BUILD:-$root/.build-fuzz}
swiftc=${SWIFTC:-swiftc}
# libtcc (linked into AttnJIT) comes from Debian; install it only when missing.
[ -f /usr/include/libtcc.h ] && ls /usr/lib/*/libtcc.a >/dev/null 2>&1 || "$root/scripts/install-deps.sh"
mkdir -p "$out/mod" "$out/obj" "$out/gen"

common=(-swift-version 6 -O -g -sanitize=fuzzer,address -parse-as-library -package-name attn_gen
    -I "$out/mod" -I "$root/Sources/CTCC" -module-cache-path "$out/cache")

sources() { find "$@" -name '*.swift' | sort; }

built=()
module() {  # module NAME FILE... — skipped when its object is newer than its files and the modules before it
    local name=$1; shift
    local obj="$out/obj/$name.o"
    if [ -f "$obj" ] && [ -z "$(find "$@" "${built[@]}" -newer "$obj" 2>/dev/null)" ]; then
        built+=("$obj")
        return
    fi
    echo "compiling $name" >&2
    "$swiftc" "${common[@]}" -module-name "$name" -wmo -num-threads 0 -c "$@" \
        -emit-module -emit-module-path "$out/mod/$name.swiftmodule" -o "$obj"
    built+=("$obj")
}

# SwiftPM generates Bundle.module for the Templates resources; point it at a snapshot of them, so
# a template edited while a long run goes on cannot change (or race) what the fuzzers read.
rm -rf "$out/templates"
mkdir -p "$out/templates"
cp -R "$root/Templates/c" "$out/templates/c"
shim="import Foundation
extension Foundation.Bundle {
    static let module: Bundle = Bundle(path: \"$out/templates\")!
}"
[ "$(cat "$out/gen/TemplatesBundle.swift" 2>/dev/null)" = "$shim" ] || printf '%s\n' "$shim" > "$out/gen/TemplatesBundle.swift"

module AttnIR $(sources "$root/Sources/AttnIR")
module AttnJSON $(sources "$root/Sources/AttnJSON")
module AttnSpec $(sources "$root/Sources/AttnSpec")
module AttnWeights $(sources "$root/Sources/AttnWeights")
module AttnInterp $(sources "$root/Sources/AttnInterp")
module AttnTemplates "$root/Templates/Templates.swift" "$out/gen/TemplatesBundle.swift"
module AttnPlan $(sources "$root/Sources/AttnPlan")
module AttnCEmit $(sources "$root/Sources/AttnCEmit")
module AttnLower $(sources "$root/Sources/AttnLower")
module AttnJIT $(sources "$root/Sources/AttnJIT")
module AttnNative $(sources "$root/Sources/AttnNative")
module AttnFootprint $(sources "$root/Sources/AttnFootprint")
module AttnGen $(sources "$root/Sources/AttnGen")

shared=$(sources "$root/Tests/HardeningTests/Fuzz")
for target in spec weights pth; do
    entry="$root/scripts/fuzz/$(tr '[:lower:]' '[:upper:]' <<<"${target:0:1}")${target:1}FuzzMain.swift"
    echo "linking fuzz-$target" >&2
    "$swiftc" "${common[@]}" -module-name "Fuzz_$target" "$entry" $shared "$out"/obj/*.o \
        -ltcc -ldl -o "$out/fuzz-$target" 2> >(grep -v "Cannot export local symbol" >&2)
done
echo "built $out/fuzz-spec $out/fuzz-weights $out/fuzz-pth" >&2
