#!/usr/bin/env bash
# Configures a clang sanitizer build dir, shared by tests/sanitize/run.sh and tests/fuzz/run.sh:
#
#   tests/sanitize/configure.sh address <dir>   # ASan + UBSan + libFuzzer coverage, fuzz targets
#   tests/sanitize/configure.sh thread <dir>    # TSan
#
# The address build serves both the sanitized suite and the fuzzers, so CI compiles it once.
# -O1 -g1: the sanitizers' usual trade, line numbers in reports at a fraction of -O2 -g's build.
set -euo pipefail
kind=$1
build=$2
src=$(cd "$(dirname "$0")/../.." && pwd)

# clang and its runtimes come from packaging/install-deps.sh; without them this fails rather
# than skips, as a skip would hide a broken setup.
command -v clang++ >/dev/null || {
    echo "sanitize: clang++ not found; install clang (packaging/install-deps.sh does)" >&2
    exit 1
}
# No dashboard (npm and tsc): nothing there is C++ to sanitize, and its browser tests run in the
# plain build only; droverd then answers /ui/ with a 404 saying so, which the suite checks.
options=(-DDROVER_SANITIZE="$kind" -DDROVER_UI=OFF)
[ "$kind" = address ] && options+=(-DDROVER_FUZZ=ON)
command -v ccache >/dev/null && options+=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
CC=clang CXX=clang++ cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_CXX_FLAGS="-O1 -g1" -DDROVER_WERROR=ON "${options[@]}" >"$log" 2>&1 ||
    { cat "$log" >&2; exit 1; }
