#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/*_fuzz.cpp) with clang, ASan and UBSan in the address
# sanitizer build dir (tests/sanitize/configure.sh), and runs each for a bounded time on a copy
# of its committed seed corpus. Fails if any target crashes, breaks a property, leaks, runs out
# of memory or takes more than 10 s on one input; the input that did it is kept in
# <build-dir>/fuzz-artifacts/<target>/.
#
#   tests/fuzz/run.sh [target...]          # every target (or the named ones), 30 s each
#   DROVER_FUZZ_SECONDS=600 tests/fuzz/run.sh template   # a longer session
#   tests/fuzz/run.sh --build-only | --no-build [target...]   # one half (ctest: fuzz_build and
#                                                             # fuzz_smoke, tests/CMakeLists.txt)
#
# Environment: DROVER_FUZZ_SECONDS (per target, default 30), DROVER_FUZZ_BUILD_DIR (default
# <source>/build-asan, shared with tests/sanitize/run.sh address). ctest runs this as the test
# fuzz_smoke (tests/CMakeLists.txt).
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${DROVER_FUZZ_BUILD_DIR:-$src/build-asan}
seconds=${DROVER_FUZZ_SECONDS:-30}
steps=all
case "${1:-}" in --build-only) steps=build; shift ;; --no-build) steps=run; shift ;; esac
all_targets=(json_patch filters task_list template content_bundle event_filter http_parser
             http_router)
targets=("${all_targets[@]}")
[ $# -gt 0 ] && targets=("$@")
for t in "${targets[@]}"; do
    [ -f "$src/tests/fuzz/${t}_fuzz.cpp" ] || { echo "fuzz: no target $t" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/drover-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT

# clang and its fuzzer runtime come from packaging/install-deps.sh (clang, libclang-rt-14-dev).
# Without them this fails, never skips: CI installs them, so a skip would hide a broken setup.
missing_toolchain() {
    echo "fuzz: $1" >&2
    echo "fuzz: install clang and libclang-rt-14-dev (packaging/install-deps.sh does)" >&2
    exit 1
}
command -v clang++ >/dev/null || missing_toolchain "clang++ not found"
printf 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }\n' \
    >"$work/probe.cpp"
clang++ -fsanitize=fuzzer,address,undefined "$work/probe.cpp" -o "$work/probe" 2>"$work/probe.log" ||
    missing_toolchain "clang++ cannot link -fsanitize=fuzzer: $(head -1 "$work/probe.log")"

if [ "$steps" != run ]; then
    "$src/tests/sanitize/configure.sh" address "$build"
    cmake --build "$build" -j2 --target "${targets[@]/%/_fuzz}"
fi
[ "$steps" = build ] && exit 0

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
    corpus="$work/$t/corpus"
    artifacts="$build/fuzz-artifacts/$t"
    mkdir -p "$corpus" "$work/$t/tmp" "$artifacts"
    cp -r "$src/tests/fuzz/corpus/$t/." "$corpus/"
    dict=()
    [ -f "$src/tests/fuzz/$t.dict" ] && dict=(-dict="$src/tests/fuzz/$t.dict")
    log="$work/$t/log"
    if TMPDIR="$work/$t/tmp" "$build/tests/fuzz/${t}_fuzz" "$corpus" "${dict[@]}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" >"$log" 2>&1; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
        cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
        echo "fuzz: $t ok: $runs runs ($rate/s), $cov"
    else
        echo "fuzz: $t FAILED; its log ends:" >&2
        tail -n 60 "$log" >&2
        echo "fuzz: the input is in $artifacts/; reproduce with $build/tests/fuzz/${t}_fuzz <file>" >&2
        failed+=("$t")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz: failed: ${failed[*]}" >&2
    exit 1
fi
