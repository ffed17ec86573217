#!/usr/bin/env bash
# Installs the Debian packages named on the command line, quietly, as root or through sudo. The
# install-*.sh scripts decide what is missing and call this; it installs what it is given.
set -euo pipefail
[ "$#" -gt 0 ] || exit 0

echo "installing $* (Debian packages)" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "error: need root or sudo to install $*" >&2
        exit 1
    fi
    sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
