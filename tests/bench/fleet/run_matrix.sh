#!/bin/sh
# Runs every fleet scenario at N = 100, 1,000 and 10,000 (boot-storm also at 2,000) and keeps each
# report as JSON and text in $1 (default /tmp/drover-fleet-results). The figures of BENCHMARKS.md.
# Usage: tests/bench/fleet/run_matrix.sh [out-dir] [drover-fleet binary]
set -eu
out=${1:-/tmp/drover-fleet-results}
fleet=${2:-build/tests/drover-fleet}
mkdir -p "$out"
run() {
    name=$1
    shift
    echo "== $name: $*"
    "$fleet" --json "$out/$name.json" "$@" >"$out/$name.txt" 2>&1 || echo "   (exit $?)"
    sed -n '2,6p' "$out/$name.txt"
}
for n in 100 1000 10000; do
    w=16
    [ "$n" -ge 1000 ] && w=32
    run "steady-$n" --scenario steady -n "$n" -t 8 -d 20 -w "$w"
    run "churn-$n" --scenario churn -n "$n" -t 8 -d 20 -w "$w"
    run "log-heavy-$n" --scenario log-heavy -n "$n" -t 8 -d 15 -w "$w"
done
for n in 100 1000 2000 10000; do
    run "boot-storm-$n" --scenario boot-storm -n "$n" -d 600 -w 32
done
