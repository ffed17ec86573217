#!/usr/bin/env bash
# Installs what attn-gen needs from Debian's packages when it is missing: libtcc-dev (libtcc.a,
# libtcc.h) and tcc (its runtime libtcc1.a and headers), plus gcc for the fast tier and tests.
set -euo pipefail

missing=()
[ -f /usr/include/libtcc.h ] || missing+=(libtcc-dev)
compgen -G "/usr/lib/*/tcc/libtcc1.a" >/dev/null || compgen -G "/usr/lib/tcc/libtcc1.a" >/dev/null || missing+=(tcc)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi

echo "installing ${missing[*]} (Debian packages)" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
