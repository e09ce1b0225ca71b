#!/usr/bin/env bash
# Runs the test suite in a sanitizer build of its own, built with clang (tests/sanitize/configure.sh):
#
#   tests/sanitize/run.sh address   # ASan + UBSan: every test of the suite (ctest), but fuzzing
#   tests/sanitize/run.sh thread    # TSan: the server's component tests (threads, sockets, LMDB)
#
# Fails if a test fails or a sanitizer reported anything, in the test binaries or in the droverd
# and drover processes they start: every report is written to a log file under the build dir
# (*SAN_OPTIONS log_path), so one from a child whose exit status nobody reads still counts.
# ctest runs these as sanitize_address and sanitize_thread (tests/CMakeLists.txt).
# Environment: DROVER_SANITIZE_BUILD_DIR (default <source>/build-asan or build-tsan; build-asan
# is also the fuzzers' build, tests/fuzz/run.sh).
set -euo pipefail

kind=${1:-}
case "$kind" in address | thread) ;; *)
    echo "usage: tests/sanitize/run.sh address|thread" >&2
    exit 2
    ;;
esac
src=$(cd "$(dirname "$0")/../.." && pwd)
case "$kind" in address) build=$src/build-asan ;; thread) build=$src/build-tsan ;; esac
build=${DROVER_SANITIZE_BUILD_DIR:-$build}

"$src/tests/sanitize/configure.sh" "$kind" "$build"

reports=$build/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
# Reports go to files named <prefix>.<program>.<pid>; the process still exits with the sanitizer's
# code.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:log_path=$reports/asan:log_exe_name=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$reports/tsan"

# Test code is built at -O0 here (tests/CMakeLists.txt), and a template both it and the library
# use may be linked from its -O0 copy: deep recursions (libstdc++'s regex matcher) need more stack
# than the optimised build, which keeps the default limit and the tests of that limit.
ulimit -S -s 65536 2>/dev/null || true

status=0
if [ "$kind" = address ]; then
    cmake --build "$build" -j2
    # The fuzz and sanitize tests are not registered in a sanitizer build (no recursion).
    ctest --test-dir "$build" -j2 --output-on-failure --timeout 900 || status=$?
else
    cmake --build "$build" -j2 --target server_tests
    "$build/tests/server_tests" --warn NoTests || status=$?
fi

if compgen -G "$reports/*" >/dev/null; then
    for f in "$reports"/*; do
        echo "sanitize: report in $f:" >&2
        head -n 80 "$f" >&2
    done
    # Again in short, last, where a log cut to its ends still shows it: each report's error or
    # its direct leaks (the roots; the indirect ones hang off them), with their first frames.
    for f in "$reports"/*; do
        echo "sanitize: $(basename "$f"):" >&2
        grep -E -A8 "ERROR: |runtime error|^Direct leak" "$f" | grep -v "^Indirect" | head -n 40 >&2
    done
    echo "sanitize: $(ls "$reports" | wc -l) sanitizer report(s); see $reports" >&2
    exit 1
fi
[ "$status" -eq 0 ] || { echo "sanitize: tests failed in the $kind build" >&2; exit "$status"; }
echo "sanitize: $kind build: every test passed, no sanitizer reports"
